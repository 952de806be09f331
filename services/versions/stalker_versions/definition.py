"""The versions service as the shared runtime sees it: tables, migrations, routes and subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from fastapi import APIRouter

from stalker_shared.consumer import Subscription
from stalker_shared.messaging.queues import VERSIONS_CATALOG_EVENTS
from stalker_shared.outbox_routes import outbox_router
from stalker_shared.resources import resource_router
from stalker_shared.runtime import ServiceDefinition
from stalker_versions.api.common import VersionsState
from stalker_versions.api.projects import projects_router
from stalker_versions.api.repositories import paths_router, repositories_router
from stalker_versions.api.structures import FILENAME_TEMPLATES, STRUCTURES
from stalker_versions.api.versions import task_versions_router, versions_router
from stalker_versions.catalog_client import CatalogLookup, HttpCatalog
from stalker_versions.db.access import SCOPE_RULES, CatalogCaller, load_access
from stalker_versions.db.models import MESSAGING, Base
from stalker_versions.service.catalog_events import CATALOG_EVENT_HANDLERS
from stalker_versions.settings import VersionsSettings


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
        outbox_router(),
    )


@dataclass(frozen=True)
class _Callers:
    """The catalog as the request path asks it about a caller: the state's client (a test's fake, or one
    made from the settings on first use, as the routes' `catalog_lookup` does)."""

    state: VersionsState
    settings: VersionsSettings | None

    async def caller(self, token: str) -> CatalogCaller:
        if self.state.catalog is None:
            settings = self.settings or VersionsSettings()
            self.state.catalog = HttpCatalog(settings.catalog_url, settings.catalog_timeout_seconds)
        catalog: CatalogLookup = self.state.catalog
        return await catalog.caller(token)


def versions_definition(settings: object = None) -> ServiceDefinition:
    """The host passes each service its settings; the catalog client is made from them on first use."""
    state = VersionsState()
    callers = _Callers(state, settings if isinstance(settings, VersionsSettings) else None)
    return ServiceDefinition(
        name="versions",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=versions_routers(),
        load_access=partial(load_access, catalog=callers),
        scope_rules=SCOPE_RULES,
        subscriptions=(Subscription(VERSIONS_CATALOG_EVENTS, dict(CATALOG_EVENT_HANDLERS)),),
        state=state,
    )
