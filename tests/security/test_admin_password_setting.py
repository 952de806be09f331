"""The password policy holds for the admin that initialization creates too, in production."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from stalker_catalog.settings import CatalogSettings
from stalker_shared.errors import ValidationFailed

SERVERS = {
    "database_url": "postgresql+asyncpg://db/c",
    "broker_url": "amqp://u:p@mq/",
    "jwt_public_key": "pem",
}


def test_a_short_admin_password_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        CatalogSettings(environment="production", admin_password=SecretStr("eleven-char"), **SERVERS)
    settings = CatalogSettings(
        environment="production", admin_password=SecretStr("a long passphrase"), **SERVERS
    )
    assert settings.access_token_minutes == 15  # and the tokens it signs are short-lived


def test_production_wants_twelve_characters_development_takes_the_tutorials_secret() -> None:
    production = CatalogSettings(
        environment="production", admin_password=SecretStr("a long passphrase"), **SERVERS
    ).password_policy
    with pytest.raises(ValidationFailed, match="at least 12 characters"):
        production.check("eleven-char", "eoyilmaz")
    production.check("twelve-chars", "eoyilmaz")
    development = CatalogSettings().password_policy
    development.check("secret", "eoyilmaz")  # the tutorial's user
    with pytest.raises(ValidationFailed, match="at least 6 characters"):
        development.check("short", "eoyilmaz")
    with pytest.raises(ValidationFailed, match="must not be or contain the login"):
        development.check("eoyilmaz1", "eoyilmaz")
    assert CatalogSettings(password_min_length=20).password_policy.min_length == 20
