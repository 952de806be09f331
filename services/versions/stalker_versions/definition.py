"""The versions service as the shared runtime sees it: tables, migrations, routes and subscriptions."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter

from stalker_shared.consumer import Subscription
from stalker_shared.messaging.queues import VERSIONS_CATALOG_EVENTS
from stalker_shared.resources import resource_router
from stalker_shared.runtime import ServiceDefinition
from stalker_versions.api.common import VersionsState
from stalker_versions.api.projects import projects_router
from stalker_versions.api.repositories import paths_router, repositories_router
from stalker_versions.api.structures import FILENAME_TEMPLATES, STRUCTURES
from stalker_versions.api.versions import task_versions_router, versions_router
from stalker_versions.db.access import SCOPE_RULES, load_access
from stalker_versions.db.models import MESSAGING, Base
from stalker_versions.service.catalog_events import CATALOG_EVENT_HANDLERS


@cache  # routers hold no state of a runtime: one set per process, however many apps are built
def versions_routers() -> tuple[APIRouter, ...]:
    return (
        repositories_router(),
        paths_router(),
        resource_router(FILENAME_TEMPLATES),
        resource_router(STRUCTURES),
        projects_router(),
        task_versions_router(),
        versions_router(),
    )


def versions_definition(_settings: object = None) -> ServiceDefinition:
    """The host passes each service its settings; the catalog client is made from them on first use."""
    return ServiceDefinition(
        name="versions",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=versions_routers(),
        load_access=load_access,
        scope_rules=SCOPE_RULES,
        subscriptions=(Subscription(VERSIONS_CATALOG_EVENTS, dict(CATALOG_EVENT_HANDLERS)),),
        state=VersionsState(),
    )
