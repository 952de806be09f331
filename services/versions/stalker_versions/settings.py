"""Versions settings, read from STALKER_VERSIONS_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class VersionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_VERSIONS_", extra="ignore", frozen=True)

    service_name: str = "versions"
    # Where to look a task up when its catalog event has not arrived yet (the gateway's base URL).
    catalog_url: str = "http://127.0.0.1:8080"
    catalog_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
