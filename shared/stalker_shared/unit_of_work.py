"""One transaction per command: business rows and outbox rows committed together, in one place.

On SQLite every transaction that may write is begun with the database's write lock (stalker_shared.db),
so writers run one at a time; a unit of work that starts with `read_first` takes no lock until
`write_from_here`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stalker_shared.access import Access
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.db import READ_ONLY
from stalker_shared.inbox import already_processed, claim_message
from stalker_shared.messaging.topology import Topology
from stalker_shared.notifications import notify
from stalker_shared.outbox import OUTBOX_CHANNEL, write_many_to_outbox, write_to_outbox
from stalker_shared.tables import MessagingTables


class UnitOfWork:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        topology: Topology,
        on_outbox_commit: Callable[[], None] = lambda: None,
        relay_elsewhere: Callable[[], bool] = lambda: True,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tables = tables
        self._topology = topology
        self._on_outbox_commit = on_outbox_commit
        self._relay_elsewhere = relay_elsewhere
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], None]] = []
        # Whom this work is for: a request's caller (set by the request path), else the system.
        self.access = Access.system()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        self._after_commit = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self._session = self.session, None
        # close() rolls back whatever was not committed and detaches loaded objects without expiring them.
        await session.close()

    async def read_first(self) -> None:
        """Begin with a transaction that only reads: where the database serializes writers (SQLite), it
        waits for no writer and holds no one up. A request that only reads stays in it."""
        await self.session.connection(execution_options={READ_ONLY: True})

    async def write_from_here(self) -> None:
        """After `read_first`, for work that will write: on SQLite, end the read-only transaction (nothing
        was written) and let go of what it loaded, so the next statement begins a writer's transaction
        that reads everything afresh once it holds the write lock. Work done in other units of work
        meanwhile (a route that opens its own) then does not wait for this one. Elsewhere rows are
        locked where the handlers lock them, and the transaction simply goes on."""
        if self.session.get_bind().dialect.name != "sqlite":
            return
        await self.session.commit()
        self.session.expunge_all()

    async def publish(self, contract: Contract) -> Envelope:
        """Queue a message to go out if and only if this unit of work commits."""
        await self._outbox_written()
        return await write_to_outbox(self.session, self._tables, self._topology, contract)

    async def publish_many(self, contracts: Sequence[Contract]) -> list[Envelope]:
        """Queue many messages with one executemany (bulk commands), in order."""
        if contracts:
            await self._outbox_written()
        return await write_many_to_outbox(self.session, self._tables, self._topology, contracts)

    async def already_processed(self, consumer: str, message_id: uuid.UUID) -> bool:
        return await already_processed(self.session, self._tables, consumer, message_id)

    async def claim_inbox(self, consumer: str, message_id: uuid.UUID, message_type: str) -> bool:
        return await claim_message(self.session, self._tables, consumer, message_id, message_type)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call this once the work is committed (never if it is not): to wake what waits for its rows."""
        self._after_commit.append(callback)

    async def _outbox_written(self) -> None:
        # The relay is woken once per commit, however many messages the work queued: in this process by
        # a callback; where it runs in another (an API's commit, its worker's relay) by the database.
        if self._on_outbox_commit not in self._after_commit:
            self._after_commit.append(self._on_outbox_commit)
            if self._relay_elsewhere():
                await notify(self.session, OUTBOX_CHANNEL)

    async def commit(self) -> None:
        await self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
