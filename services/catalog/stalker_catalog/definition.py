"""The catalog as the shared runtime sees it: tables, migrations, routes and subscriptions."""

from __future__ import annotations

from pathlib import Path

from stalker_catalog.api.projects import projects_router
from stalker_catalog.db.models import MESSAGING, Base
from stalker_shared.runtime import ServiceDefinition


def catalog_definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="catalog",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=lambda runtime: [projects_router(runtime)],
    )
