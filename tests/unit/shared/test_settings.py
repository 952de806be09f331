"""Settings: embedded defaults for development, placeholders refused elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from stalker_catalog.settings import CatalogSettings
from stalker_shared.settings import ServiceSettings


def test_development_defaults_to_an_embedded_sqlite_file(tmp_path: Path) -> None:
    settings = ServiceSettings(service_name="catalog", data_dir=tmp_path)
    assert settings.embedded_database
    assert settings.resolved_database_url() == f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STALKER_CATALOG_DATABASE_URL", "postgresql+asyncpg://db/catalog")
    monkeypatch.setenv("STALKER_VERSIONS_DATABASE_URL", "postgresql+asyncpg://db/versions")
    assert CatalogSettings().database_url == "postgresql+asyncpg://db/catalog"


def test_production_requires_servers() -> None:
    with pytest.raises(ValidationError, match="database_url, broker_url must be set"):
        ServiceSettings(environment="production")


def test_production_refuses_the_default_broker_credentials() -> None:
    with pytest.raises(ValidationError, match="guest credentials"):
        ServiceSettings(
            environment="production",
            database_url="postgresql+asyncpg://x/y",
            broker_url="amqp://guest:guest@mq/",
        )


class WithSecret(ServiceSettings):
    api_key: SecretStr = SecretStr("changethis")

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("api_key",)


def test_placeholder_secrets_are_refused_outside_development() -> None:
    assert WithSecret().api_key.get_secret_value() == "changethis"  # fine for development
    with pytest.raises(ValidationError, match="api_key is left at a default"):
        WithSecret(environment="test", jwt_public_key="pem")
    assert WithSecret(environment="test", jwt_public_key="pem", api_key=SecretStr("a-real-secret")).api_key


def test_token_keys_are_required_outside_development() -> None:
    with pytest.raises(ValidationError, match="jwt_public_key"):
        ServiceSettings(environment="test")
