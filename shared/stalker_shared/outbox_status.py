"""What an operator sees of a service's outbox and may do with it: whether the relay is stuck (for
readyz), the parked messages, and requeueing one of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.db import utcnow
from stalker_shared.errors import NotFound
from stalker_shared.outbox import OutboxRelay

# "The relay has failed repeatedly": this many failed batches in a row.
STUCK_FAILURES = 3


async def relay_check(session: AsyncSession, outbox: Table, relay: OutboxRelay, stuck_after: float) -> str:
    """'ok', or 'stuck: why' when the oldest pending (unpublished, unparked) message is older than
    `stuck_after` seconds and the relay is not getting anywhere: where it runs in this process, it has
    failed STUCK_FAILURES batches in a row; elsewhere (an API process), nothing was published meanwhile."""
    oldest = await session.scalar(
        select(outbox.c.created_at)
        .where(outbox.c.published_at.is_(None), outbox.c.parked_at.is_(None))
        .order_by(outbox.c.id)
        .limit(1)
    )
    now = utcnow()
    if oldest is None or _age(now, oldest) <= stuck_after:
        return "ok"
    waiting = f"the oldest pending message has waited {_age(now, oldest):.0f} s"
    if relay.running:
        if relay.consecutive_failures < STUCK_FAILURES:
            return "ok"  # working through a backlog
        failures = relay.consecutive_failures
        return f"stuck: {waiting}; {failures} batches failed in a row, last: {relay.last_error}"
    last = await session.scalar(
        select(outbox.c.published_at)
        .where(outbox.c.published_at.is_not(None))
        .order_by(outbox.c.id.desc())
        .limit(1)
    )
    if last is not None and _age(now, last) <= stuck_after:
        return "ok"
    since = "ever" if last is None else f"{_age(now, last):.0f} s"
    return f"stuck: {waiting} and nothing was published for {since}"


def _age(now: datetime, then: datetime) -> float:
    return (now - then).total_seconds()


async def parked_messages(
    session: AsyncSession, outbox: Table, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Parked messages, oldest first, and how many there are."""
    parked = outbox.c.parked_at.is_not(None)
    total = await session.scalar(select(func.count()).select_from(outbox).where(parked))
    rows = (
        await session.execute(
            select(
                outbox.c.message_id,
                outbox.c.message_type,
                outbox.c.routing_key,
                outbox.c.exchange,
                outbox.c.correlation_id,
                outbox.c.created_at,
                outbox.c.parked_at,
                outbox.c.parked_reason,
                outbox.c.publish_attempts,
            )
            .where(parked)
            .order_by(outbox.c.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return [row._asdict() for row in rows], int(total or 0)


async def requeue_parked(session: AsyncSession, outbox: Table, message_id: uuid.UUID) -> None:
    """Give a parked message to the relay again, with its attempts counted from zero."""
    requeued = await session.execute(
        update(outbox)
        .where(and_(outbox.c.message_id == message_id, outbox.c.parked_at.is_not(None)))
        .values(parked_at=None, parked_reason=None, publish_attempts=0)
        .returning(outbox.c.id)
    )
    if requeued.first() is None:
        raise NotFound(f"no parked outbox message {message_id}", "message_id")
