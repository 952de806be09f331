"""Transactional outbox: messages are rows written in the business transaction; a relay publishes them
with broker confirms (rows locked with SKIP LOCKED, so relays can run side by side) and marks them
published. A crash between confirm and mark publishes again: consumers are idempotent by design. A
message the broker refuses is parked after a few attempts, so it never holds up the others."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stalker_shared.contracts import Contract, Envelope
from stalker_shared.correlation import current_causation_id, current_correlation_id
from stalker_shared.db import utcnow
from stalker_shared.logging import get_logger
from stalker_shared.messaging.topology import Topology
from stalker_shared.messaging.transport import MessageRefused, OutgoingMessage, PublishError, Transport
from stalker_shared.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_PARKED,
    OUTBOX_PUBLISH_FAILURES,
    OUTBOX_PUBLISHED,
    OUTBOX_REFUSED,
)
from stalker_shared.notifications import listen
from stalker_shared.tables import MessagingTables
from stalker_shared.waiting import first_set

_log = get_logger(__name__)
# How often a relay paused after failures looks whether the broker connection is back.
RECONNECT_CHECK = 0.25


# The notification a transaction that wrote outbox rows sends on commit (stalker_shared.notifications): the
# relay listening in another process (a service's worker, not its API) publishes at once, not at its poll.
OUTBOX_CHANNEL = "stalker_outbox"


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


@dataclass(frozen=True)
class _Refusal:
    row_id: int
    message_id: str
    error: str


def _outgoing(row: Row[Any]) -> OutgoingMessage:
    return OutgoingMessage(
        exchange=row.exchange,
        routing_key=row.routing_key,
        body=row.body.encode(),
        message_id=str(row.message_id),
        correlation_id=row.correlation_id,
        type=row.message_type,
    )


class OutboxRelay:
    """Publishes pending rows in batches. Two kinds of failure are kept apart: the broker away (lost
    connection, timeout, nack) fails the batch, which is retried whole with a growing pause and never
    parks anything; a message the broker refuses (MessageRefused) fails alone, the rest of its batch is
    published, and its attempts are counted in a transaction of their own until, at `park_after`, it is
    parked: left out of publishing, the backlog and readiness until an admin requeues it."""

    def __init__(
        self,
        *,
        service: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        transport: Transport,
        batch_size: int = 200,
        poll_interval: float = 0.5,
        park_after: int = 5,
        listen_params: dict[str, Any] | None = None,
    ) -> None:
        self._service = service
        self._sessionmaker = sessionmaker
        self._outbox = tables.outbox
        self._transport = transport
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._park_after = park_after
        self._listen_params = listen_params  # PostgreSQL's, to LISTEN on OUTBOX_CHANNEL; None: polls only
        self._wakeup = asyncio.Event()
        # The relay's own view, for readiness: whether it runs in this process and how it fares.
        self.running = False
        self.consecutive_failures = 0
        self.last_error: str | None = None

    def wake(self) -> None:
        """Publish soon: called after a local commit that wrote outbox rows."""
        self._wakeup.set()

    def _pending(self) -> ColumnElement[bool]:
        return and_(self._outbox.c.published_at.is_(None), self._outbox.c.parked_at.is_(None))

    async def publish_pending(self) -> int:
        """Publish one batch of pending messages; returns how many were confirmed and marked. Refused
        messages are counted (and parked at the limit); if the broker was away for any message, raises
        PublishError once what was confirmed is marked."""
        refusals: list[_Refusal] = []
        try:
            confirmed, away = await self._publish_batch(refusals)
        finally:
            if refusals:  # after the batch's transaction, whatever became of it: these counts must stay
                await self._count_refusals(refusals)
        if away is not None:
            raise away
        return confirmed

    async def _publish_batch(self, refusals: list[_Refusal]) -> tuple[int, PublishError | None]:
        async with self._sessionmaker() as session, session.begin():
            rows = (
                await session.execute(
                    select(self._outbox)
                    .where(self._pending())
                    .order_by(self._outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0, None
            outcomes = await self._publish_each([_outgoing(row) for row in rows])
            confirmed = [row.id for row, outcome in zip(rows, outcomes, strict=True) if outcome is None]
            refusals.extend(
                _Refusal(row.id, str(row.message_id), str(outcome)[:1000])
                for row, outcome in zip(rows, outcomes, strict=True)
                if isinstance(outcome, MessageRefused)
            )
            away = next((o for o in outcomes if o is not None and not isinstance(o, MessageRefused)), None)
            if confirmed:
                await self._mark_published(session, confirmed)
        OUTBOX_PUBLISHED.labels(self._service).inc(len(confirmed))
        return len(confirmed), away

    async def _publish_each(self, messages: list[OutgoingMessage]) -> list[PublishError | None]:
        outcomes = list(await asyncio.gather(*(self._try_publish(m) for m in messages)))
        refused = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, MessageRefused)]
        if len(refused) > 1:
            # One refusal can close the channel under its neighbours: each suspect is tried alone, so
            # only the message at fault is charged with it.
            for i in refused:
                outcomes[i] = await self._try_publish(messages[i])
        return outcomes

    async def _try_publish(self, message: OutgoingMessage) -> PublishError | None:
        try:
            await self._transport.publish(message)
        except PublishError as exc:
            return exc
        return None

    async def _mark_published(self, session: AsyncSession, ids: list[int]) -> None:
        await session.execute(
            update(self._outbox).where(self._outbox.c.id.in_(ids)).values(published_at=utcnow())
        )

    async def _count_refusals(self, refusals: list[_Refusal]) -> None:
        parked: list[tuple[_Refusal, int]] = []
        counted: list[tuple[_Refusal, int]] = []
        outbox, now = self._outbox, utcnow()
        async with self._sessionmaker() as session, session.begin():
            for refusal in refusals:
                attempts = await session.scalar(
                    update(outbox)
                    .where(outbox.c.id == refusal.row_id, self._pending())
                    .values(publish_attempts=outbox.c.publish_attempts + 1, last_error=refusal.error)
                    .returning(outbox.c.publish_attempts)
                )
                if attempts is None:  # published or parked by another relay meanwhile
                    continue
                counted.append((refusal, attempts))
                if attempts >= self._park_after:
                    reason = f"refused by the broker {attempts} times; last: {refusal.error}"
                    await session.execute(
                        update(outbox)
                        .where(outbox.c.id == refusal.row_id)
                        .values(parked_at=now, parked_reason=reason)
                    )
                    parked.append((refusal, attempts))
        OUTBOX_REFUSED.labels(self._service).inc(len(counted))
        for refusal, attempts in counted:
            _log.warning(
                "outbox message refused by the broker",
                service=self._service,
                message_id=refusal.message_id,
                attempts=attempts,
                park_after=self._park_after,
                error=refusal.error,
            )
        for refusal, attempts in parked:
            _log.error(
                "outbox message parked: it is not published until an admin requeues it",
                service=self._service,
                message_id=refusal.message_id,
                attempts=attempts,
                error=refusal.error,
            )

    async def backlog(self) -> int:
        """Pending messages (parked ones left out); also sets the backlog gauge."""
        async with self._sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(self._outbox).where(self._pending())
            )
        OUTBOX_BACKLOG.labels(self._service).set(count or 0)
        return count or 0

    async def parked(self) -> int:
        """Parked messages; also sets the parked gauge. Read for a metrics scrape, not by the relay's loop."""
        async with self._sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(self._outbox).where(self._outbox.c.parked_at.is_not(None))
            )
        OUTBOX_PARKED.labels(self._service).set(count or 0)
        return count or 0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until stopped; a failed batch is retried with a growing pause."""
        self.running = True
        listener = None
        if self._listen_params is not None:
            listener = asyncio.create_task(listen(self._listen_params, OUTBOX_CHANNEL, self.wake, stop))
        try:
            while not stop.is_set():
                # Cleared before the batch is read: a commit while it is published wakes the next one.
                self._wakeup.clear()
                published = await self._run_once()
                if published < self._batch_size:
                    await self._pause(stop)
        finally:
            self.running = False
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener

    async def _pause(self, stop: asyncio.Event) -> None:
        """Until the next poll, a commit or stop; after failures a growing pause that commits do not cut
        short (each would be one more failed batch), only the lost broker connection coming back (the
        backlog goes out then, not up to 10 s later)."""
        failures = self.consecutive_failures
        pause = self._poll_interval if failures == 0 else min(0.5 * 2**failures, 10.0)
        step = pause if failures == 0 or self._transport.is_connected() else RECONNECT_CHECK
        wakes = (self._wakeup, stop) if failures == 0 else (stop,)
        deadline = asyncio.get_running_loop().time() + pause
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first_set(*wakes), timeout=min(step, left))
                return
            if self._transport.is_connected():
                return

    async def _run_once(self) -> int:
        try:
            published = await self.publish_pending()
            await self.backlog()
        except Exception as exc:  # broker or database away: keep the rows, try again later
            self.consecutive_failures += 1
            self.last_error = repr(exc)[:500]
            OUTBOX_PUBLISH_FAILURES.labels(self._service).inc()
            _log.warning(
                "outbox relay batch failed",
                service=self._service,
                error=self.last_error,
                failures=self.consecutive_failures,
            )
            return 0
        self.consecutive_failures = 0
        return published
