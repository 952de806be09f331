"""The versions service as the shared runtime sees it."""

from __future__ import annotations

from pathlib import Path

from stalker_shared.consumer import Subscription
from stalker_shared.contracts import ProjectCreated, ProjectDeleted, ProjectUpdated
from stalker_shared.messaging.queues import VERSIONS_CATALOG_EVENTS
from stalker_shared.runtime import ServiceDefinition
from stalker_versions.api.projects import project_refs_router
from stalker_versions.db.models import MESSAGING, Base
from stalker_versions.service.catalog_events import apply_project_deleted, apply_project_state


def versions_definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="versions",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=lambda runtime: [project_refs_router(runtime)],
        subscriptions=(
            Subscription(
                VERSIONS_CATALOG_EVENTS,
                {
                    ProjectCreated: apply_project_state,
                    ProjectUpdated: apply_project_state,
                    ProjectDeleted: apply_project_deleted,
                },
            ),
        ),
    )
