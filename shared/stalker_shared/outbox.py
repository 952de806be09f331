"""Transactional outbox: messages are rows written in the business transaction; a relay publishes them
with broker confirms (rows locked with SKIP LOCKED, so relays can run side by side) and marks them
published. A crash between confirm and mark publishes again: consumers are idempotent by design."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stalker_shared.contracts import Contract, Envelope
from stalker_shared.correlation import current_causation_id, current_correlation_id
from stalker_shared.db import utcnow
from stalker_shared.logging import get_logger
from stalker_shared.messaging.topology import Topology
from stalker_shared.messaging.transport import OutgoingMessage, PublishError, Transport
from stalker_shared.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from stalker_shared.tables import MessagingTables

_log = get_logger(__name__)


async def write_to_outbox(
    session: AsyncSession, tables: MessagingTables, topology: Topology, contract: Contract
) -> Envelope:
    """Add a message to the outbox inside the caller's transaction; it is published only if that commits."""
    return (await write_many_to_outbox(session, tables, topology, [contract]))[0]


async def write_many_to_outbox(
    session: AsyncSession, tables: MessagingTables, topology: Topology, contracts: Sequence[Contract]
) -> list[Envelope]:
    """Add messages to the outbox in one executemany, in order, inside the caller's transaction."""
    correlation_id, causation_id = current_correlation_id(), current_causation_id()
    envelopes = [
        Envelope.wrap(c, correlation_id=correlation_id, causation_id=causation_id) for c in contracts
    ]
    rows = [_outbox_row(topology, e) for e in envelopes]
    if len(rows) == 1:  # one execute, not an executemany of one: a round trip cheaper on asyncpg
        await session.execute(insert(tables.outbox), rows[0])
    elif rows:
        await session.execute(insert(tables.outbox), rows)
    return envelopes


def _outbox_row(topology: Topology, envelope: Envelope) -> dict[str, object]:
    return {
        "message_id": envelope.message_id,
        "exchange": topology.name(envelope.producer),
        "routing_key": envelope.routing_key,
        "message_type": envelope.type,
        "correlation_id": envelope.correlation_id,
        "body": envelope.model_dump_json(),
        "created_at": envelope.occurred_at,
    }


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        transport: Transport,
        batch_size: int = 200,
        poll_interval: float = 0.5,
    ) -> None:
        self._service = service
        self._sessionmaker = sessionmaker
        self._outbox = tables.outbox
        self._transport = transport
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """Publish soon: called after a local commit that wrote outbox rows."""
        self._wakeup.set()

    async def publish_pending(self) -> int:
        """Publish one batch of pending messages; returns how many were confirmed and marked."""
        async with self._sessionmaker() as session, session.begin():
            rows = (
                await session.execute(
                    select(self._outbox)
                    .where(self._outbox.c.published_at.is_(None))
                    .order_by(self._outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            messages = [
                OutgoingMessage(
                    exchange=row.exchange,
                    routing_key=row.routing_key,
                    body=row.body.encode(),
                    message_id=str(row.message_id),
                    correlation_id=row.correlation_id,
                    type=row.message_type,
                )
                for row in rows
            ]
            ids = [row.id for row in rows]
            try:
                await asyncio.gather(*(self._transport.publish(m) for m in messages))
            except PublishError:
                await session.execute(
                    update(self._outbox)
                    .where(self._outbox.c.id.in_(ids))
                    .values(publish_attempts=self._outbox.c.publish_attempts + 1)
                )
                raise
            await self._mark_published(session, ids)
        OUTBOX_PUBLISHED.labels(self._service).inc(len(ids))
        return len(ids)

    async def _mark_published(self, session: AsyncSession, ids: list[int]) -> None:
        await session.execute(
            update(self._outbox).where(self._outbox.c.id.in_(ids)).values(published_at=utcnow())
        )

    async def backlog(self) -> int:
        async with self._sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(self._outbox).where(self._outbox.c.published_at.is_(None))
            )
        OUTBOX_BACKLOG.labels(self._service).set(count or 0)
        return count or 0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until stopped; a failed batch is retried with a growing pause."""
        failures = 0
        while not stop.is_set():
            try:
                published = await self.publish_pending()
                failures = 0
                await self.backlog()
            except Exception as exc:  # broker or database away: keep the rows, try again later
                failures += 1
                published = 0
                OUTBOX_PUBLISH_FAILURES.labels(self._service).inc()
                _log.warning(
                    "outbox relay batch failed", service=self._service, error=repr(exc), failures=failures
                )
            if published >= self._batch_size:
                continue
            pause = self._poll_interval if failures == 0 else min(0.5 * 2**failures, 10.0)
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(self._wakeup, stop), timeout=pause)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
