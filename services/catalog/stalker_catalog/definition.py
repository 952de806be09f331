"""The catalog as the shared runtime sees it: tables, migrations, routes and subscriptions."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter

from stalker_catalog.api.auth import admin_router, auth_router
from stalker_catalog.api.calendars import HOLIDAYS, VACATIONS, working_hours_router
from stalker_catalog.api.notes import notes_router
from stalker_catalog.api.people import ROLES, collections_router, users_router
from stalker_catalog.api.projects import projects_router
from stalker_catalog.api.reference_data import REFERENCE_DATA
from stalker_catalog.api.scheduling import scheduling_router
from stalker_catalog.api.studio import studios_router
from stalker_catalog.api.tasks import tasks_router
from stalker_catalog.api.tracking import tracking_router
from stalker_catalog.api.tracking_views import tracking_views_router
from stalker_catalog.db.access import SCOPE_RULES, load_access
from stalker_catalog.db.models import MESSAGING, Base, Department, Group
from stalker_catalog.service import scheduling
from stalker_catalog.service.init import run_initialization
from stalker_catalog.service.version_mirror import VERSION_EVENT_HANDLERS
from stalker_shared.consumer import Subscription
from stalker_shared.contracts.scheduling import ScheduleCompleted, ScheduleFailed
from stalker_shared.messaging.queues import CATALOG_SCHEDULE_RESULTS, CATALOG_VERSION_EVENTS
from stalker_shared.outbox_routes import outbox_router
from stalker_shared.resources import resource_router
from stalker_shared.runtime import ServiceDefinition


@cache  # routers hold no state of a runtime: one set per process, however many apps are built
def catalog_routers() -> tuple[APIRouter, ...]:
    return (
        auth_router(),
        admin_router(),
        users_router(),
        collections_router(Department, admin_only=True),
        collections_router(Group, admin_only=True),
        resource_router(ROLES),
        *(resource_router(resource) for resource in REFERENCE_DATA),
        studios_router(),
        projects_router(),
        tasks_router(),
        tracking_router(),
        tracking_views_router(),
        scheduling_router(),
        notes_router(),
        resource_router(VACATIONS),
        resource_router(HOLIDAYS),
        working_hours_router(),
        outbox_router(),
    )


def catalog_definition(_: object = None) -> ServiceDefinition:
    return ServiceDefinition(
        name="catalog",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=catalog_routers(),
        bootstrap=run_initialization,
        load_access=load_access,
        scope_rules=SCOPE_RULES,
        subscriptions=(
            Subscription(
                CATALOG_SCHEDULE_RESULTS,
                {ScheduleCompleted: scheduling.apply_completed, ScheduleFailed: scheduling.apply_failed},
            ),
            Subscription(CATALOG_VERSION_EVENTS, VERSION_EVENT_HANDLERS),
        ),
    )
