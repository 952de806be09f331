"""Catalog settings, read from STALKER_CATALOG_* environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_CATALOG_", extra="ignore", frozen=True)

    service_name: str = "catalog"
