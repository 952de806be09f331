"""The password policy holds for the admin that initialization creates too, in production."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from stalker_catalog.security import hash_password
from stalker_catalog.settings import CatalogSettings
from stalker_shared.errors import ValidationFailed

SERVERS = {
    "database_url": "postgresql+asyncpg://db/c",
    "broker_url": "amqp://u:p@mq/",
    "jwt_public_key": "pem",
    # The test suite lowers the hashing cost through the environment (tests/conftest.py): production's own.
    "password_hash_time_cost": 3,
    "password_hash_memory_kib": 65536,
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


async def test_password_hashes_cost_what_production_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id over 64 MiB, 3 passes, 4 lanes unless told otherwise; production refuses less than 2
    passes over 19 MiB. The tests' own lower cost reaches every hash (and is recorded in it)."""
    for name in ("STALKER_CATALOG_PASSWORD_HASH_TIME_COST", "STALKER_CATALOG_PASSWORD_HASH_MEMORY_KIB"):
        monkeypatch.delenv(name, raising=False)
    default = CatalogSettings().password_policy.cost
    assert (default.time_cost, default.memory_kib, default.lanes) == (3, 65536, 4)
    assert (await hash_password("a long passphrase", default)).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    for weak in ({"password_hash_time_cost": 1}, {"password_hash_memory_kib": 8192}):
        with pytest.raises(ValidationError, match="at least 2 passes over 19456 KiB"):
            CatalogSettings(
                environment="production", admin_password=SecretStr("a long passphrase"), **{**SERVERS, **weak}
            )
    cheap = CatalogSettings(password_hash_time_cost=1, password_hash_memory_kib=1024).password_policy.cost
    assert (await hash_password("secret", cheap)).startswith("$argon2id$v=19$m=1024,t=1,p=4$")
