"""Catalog settings, read from STALKER_CATALOG_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_CATALOG_", extra="ignore", frozen=True)

    service_name: str = "catalog"
    # The admin that initialization creates; the password must be set outside development.
    admin_login: str = "admin"
    admin_email: str = "admin@admin.com"
    admin_password: SecretStr = SecretStr("admin")
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("admin_password",)
