"""Versions settings, read from STALKER_VERSIONS_* environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class VersionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_VERSIONS_", extra="ignore", frozen=True)

    service_name: str = "versions"
