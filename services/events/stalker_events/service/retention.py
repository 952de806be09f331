"""Retention: events older than `retention_days` are deleted in short batches, and the largest cursor
deleted is kept so a reader behind it is told (410) rather than silently skipped ahead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from stalker_events.db.base import MESSAGING
from stalker_events.db.log import Event, LogState
from stalker_events.db.webhooks import PENDING, WebhookDelivery, WebhookSubscription
from stalker_events.service.reading import pruned_through
from stalker_events.settings import EventsSettings
from stalker_shared.db import utcnow
from stalker_shared.logging import get_logger
from stalker_shared.repository import upsert
from stalker_shared.runtime import Runtime
from stalker_shared.unit_of_work import UnitOfWork
from stalker_shared.waiting import pause

_log = get_logger(__name__)
BATCH = 5000


async def prune_log(runtime: Runtime, stop: asyncio.Event) -> None:
    """The worker's loop: prune, then wait the interval (or until the worker stops)."""
    settings = runtime.settings
    assert isinstance(settings, EventsSettings)
    while not stop.is_set():
        try:
            cutoff = utcnow() - timedelta(days=settings.retention_days)
            deleted = await prune_before(runtime.unit_of_work, cutoff)
            if deleted:
                _log.info("event log pruned", deleted=deleted, before=cutoff.isoformat())
        except Exception:  # a database away for a while: try again next round
            _log.exception("event log pruning failed")
        await pause(stop, settings.prune_interval_seconds)


async def prune_before(unit_of_work: Callable[[], UnitOfWork], cutoff: datetime) -> int:
    """Delete the events recorded before `cutoff`, BATCH at a time, each batch its own transaction."""
    deleted = 0
    while True:
        async with unit_of_work() as uow:
            session = uow.session
            oldest = select(Event.id).where(Event.recorded_at < cutoff).order_by(Event.id).limit(BATCH)
            through = await session.scalar(select(func.max(oldest.subquery().c.id)))
            # An event still waiting to be sent to an endpoint that is being sent to stays, and so does
            # everything after it; a paused or disabled endpoint's queue holds nothing past retention.
            waiting = await session.scalar(
                select(func.min(WebhookDelivery.event_id))
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(
                    WebhookDelivery.status == PENDING,
                    WebhookSubscription.active.is_(True),
                    WebhookSubscription.disabled_at.is_(None),
                )
            )
            if through is not None and waiting is not None:
                through = min(through, waiting - 1) if waiting > 1 else None
            if through is None:
                inbox = MESSAGING.inbox
                await session.execute(delete(inbox).where(inbox.c.processed_at < cutoff))
                await uow.commit()
                return deleted
            result = await session.execute(delete(Event).where(Event.id <= through))
            removed = cast(CursorResult[Any], result).rowcount or 0
            kept = max(through, await pruned_through(session))
            await upsert(session, LogState, {"id": 1, "pruned_through": kept}, {"pruned_through": kept})
            await uow.commit()
            deleted += removed
            if not removed:  # what is left before the cutoff waits for a delivery
                return deleted
