"""One transaction per command: business rows and outbox rows committed together, in one place."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stalker_shared.access import Access
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.inbox import already_processed, claim_message
from stalker_shared.messaging.topology import Topology
from stalker_shared.outbox import write_many_to_outbox, write_to_outbox
from stalker_shared.tables import MessagingTables


class UnitOfWork:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        topology: Topology,
        on_outbox_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tables = tables
        self._topology = topology
        self._on_outbox_commit = on_outbox_commit
        self._session: AsyncSession | None = None
        self._wrote_outbox = False
        # Whom this work is for: a request's caller (set by the request path), else the system.
        self.access = Access.system()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        self._wrote_outbox = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self._session = self.session, None
        # close() rolls back whatever was not committed and detaches loaded objects without expiring them.
        await session.close()

    async def publish(self, contract: Contract) -> Envelope:
        """Queue a message to go out if and only if this unit of work commits."""
        self._wrote_outbox = True
        return await write_to_outbox(self.session, self._tables, self._topology, contract)

    async def publish_many(self, contracts: Sequence[Contract]) -> list[Envelope]:
        """Queue many messages with one executemany (bulk commands), in order."""
        if contracts:
            self._wrote_outbox = True
        return await write_many_to_outbox(self.session, self._tables, self._topology, contracts)

    async def already_processed(self, consumer: str, message_id: uuid.UUID) -> bool:
        return await already_processed(self.session, self._tables, consumer, message_id)

    async def claim_inbox(self, consumer: str, message_id: uuid.UUID, message_type: str) -> bool:
        return await claim_message(self.session, self._tables, consumer, message_id, message_type)

    async def commit(self) -> None:
        await self.session.commit()
        if self._wrote_outbox:
            self._wrote_outbox = False
            self._on_outbox_commit()
