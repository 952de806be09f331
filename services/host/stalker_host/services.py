"""The services this host knows how to run, with their definitions and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_events.definition import events_definition
from stalker_events.settings import EventsSettings
from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.runtime import ServiceDefinition
from stalker_shared.settings import ServiceSettings
from stalker_versions.definition import versions_definition
from stalker_versions.settings import VersionsSettings


@dataclass(frozen=True)
class HostedService:
    name: str
    definition: Callable[[Any], ServiceDefinition]
    settings: Callable[..., ServiceSettings]


SERVICES: tuple[HostedService, ...] = (
    HostedService("catalog", catalog_definition, CatalogSettings),
    HostedService("versions", versions_definition, VersionsSettings),
    HostedService("scheduler", scheduler_definition, SchedulerSettings),
    HostedService("events", events_definition, EventsSettings),
)
