"""The scheduler as the shared runtime sees it."""

from __future__ import annotations

from pathlib import Path

from stalker_scheduler.db.models import MESSAGING, Base
from stalker_shared.runtime import ServiceDefinition


def scheduler_definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="scheduler",
        metadata=Base.metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "migrations",
        routers=lambda runtime: [],
    )
