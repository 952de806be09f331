"""The events service as the shared runtime sees it: the log's tables, its one queue hearing every
producer, its routes and the retention loop."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter

from stalker_events.api.events import events_router
from stalker_events.api.stream import stream_router
from stalker_events.api.webhooks import webhooks_router
from stalker_events.db.access import SCOPE_RULES
from stalker_events.db.models import MESSAGING, Base
from stalker_events.service.delivery import deliver_webhooks
from stalker_events.service.head import LogHead
from stalker_events.service.recording import record_handlers
from stalker_events.service.retention import prune_log
from stalker_events.settings import EventsSettings
from stalker_events.state import EventsState
from stalker_shared.catalog_callers import CatalogCallers
from stalker_shared.consumer import Subscription
from stalker_shared.contracts import ALL_CONTRACTS, ContractRegistry
from stalker_shared.messaging.queues import EVENTS_LOG
from stalker_shared.runtime import ServiceDefinition


@cache  # routers hold no state of a runtime: one set per process, however many apps are built
def events_routers() -> tuple[APIRouter, ...]:
    return (events_router(), stream_router(), webhooks_router())


def events_definition(settings: object = None) -> ServiceDefinition:
    settings = settings if isinstance(settings, EventsSettings) else EventsSettings()
    callers = CatalogCallers(
        settings.catalog_url, settings.catalog_timeout_seconds, reuse_seconds=settings.caller_reuse_seconds
    )
    registry = ContractRegistry(ALL_CONTRACTS)
    head = LogHead(settings.stream_poll_seconds, settings.stream_max_per_user, settings.stream_max_total)
    state = EventsState(callers, head)
    return ServiceDefinition(
        name="events",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=events_routers(),
        # One message at a time (and one consumer: the queue's single active consumer): the log keeps
        # the order each producer published in. Recordings take the log's lock anyway (recording.py).
        subscriptions=(Subscription(EVENTS_LOG, record_handlers(registry, state.recorded), prefetch=1),),
        load_access=callers.load_access,
        scope_rules=SCOPE_RULES,
        loops=(prune_log, deliver_webhooks),
        state=state,
        registry=registry,
    )
