"""The scheduler as the shared runtime sees it: it consumes schedule requests and answers with results."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter

from stalker_scheduler.api.tjp import tjp_router
from stalker_scheduler.db.models import MESSAGING, Base
from stalker_scheduler.engine.choice import engine_from_settings
from stalker_scheduler.service.scheduling import schedule_handler
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.catalog_callers import CatalogCallers
from stalker_shared.consumer import Subscription
from stalker_shared.contracts.scheduling import ScheduleRequested
from stalker_shared.messaging.queues import SCHEDULER_REQUESTS
from stalker_shared.outbox_routes import outbox_router
from stalker_shared.runtime import ServiceDefinition


@cache  # routers hold no state of a runtime: one set per process, however many apps are built
def scheduler_routers() -> tuple[APIRouter, ...]:
    return (tjp_router(), outbox_router())


def scheduler_definition(settings: object = None) -> ServiceDefinition:
    settings = settings if isinstance(settings, SchedulerSettings) else SchedulerSettings()
    engine, warm = engine_from_settings(settings)
    callers = CatalogCallers(settings.catalog_url)
    return ServiceDefinition(
        name="scheduler",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=scheduler_routers(),
        # Prefetch 1: a worker holds no second request while tj3 runs, so the parts of a split job go to
        # the replicas that are free (with more, one replica would take them all and run them side by side).
        subscriptions=(
            Subscription(
                SCHEDULER_REQUESTS, {ScheduleRequested: schedule_handler(settings, engine)}, prefetch=1
            ),
        ),
        # The warm tj3 driver loads TaskJuggler and warms up when the worker starts, not on the first
        # request; it stops with the worker.
        workers_started=warm.start if warm is not None else None,
        workers_stopped=warm.close if warm is not None else None,
        # No users here: each request's caller is checked with the catalog (callers.py).
        load_access=callers.load_access,
        state=callers,
    )
