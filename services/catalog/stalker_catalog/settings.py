"""Catalog settings, read from STALKER_CATALOG_* environment variables."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from stalker_catalog.security import STRONG, Argon2Cost, PasswordPolicy
from stalker_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_CATALOG_", extra="ignore", frozen=True)

    service_name: str = "catalog"
    # The admin that initialization creates; the password must be set outside development.
    admin_login: str = "admin"
    admin_email: str = "admin@admin.com"
    admin_password: SecretStr = SecretStr("admin")
    # Access tokens are short-lived; a client keeps a session with its refresh token (rotated on use).
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: float = Field(default=14, gt=0, le=365)
    # Login throttle: this many failed logins of one account (or from one address) within the window
    # refuse further attempts with 429 until the window ends. Counted in the database (all processes).
    login_failures_per_account: int = Field(default=10, ge=1, le=10_000)
    login_failures_per_address: int = Field(default=100, ge=1, le=100_000)
    login_window_seconds: int = Field(default=900, ge=1, le=86_400)

    # Passwords: at least this many characters (and not the login). Unset: 12 in production, and in
    # development 6, the tutorial's "secret".
    password_min_length: int | None = Field(default=None, ge=1, le=256)
    # Argon2's cost for new password hashes: passes and memory (KiB). Production refuses less than OWASP's
    # floor (2 passes over 19 MiB); test suites lower it, as each user they create costs a hash.
    password_hash_time_cost: int = Field(default=STRONG.time_cost, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=STRONG.memory_kib, ge=64, le=4 * 1024 * 1024)

    @property
    def password_policy(self) -> PasswordPolicy:
        default = 12 if self.environment == "production" else 6
        cost = Argon2Cost(self.password_hash_time_cost, self.password_hash_memory_kib)
        return PasswordPolicy(self.password_min_length or default, cost)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return ("admin_password",)

    @model_validator(mode="after")
    def _strong_hashes_in_production(self) -> Self:
        weak = self.password_hash_time_cost < 2 or self.password_hash_memory_kib < 19 * 1024
        if self.environment == "production" and weak:
            raise ValueError("password hashes need at least 2 passes over 19456 KiB in production")
        return self

    @model_validator(mode="after")
    def _a_real_admin_password_in_production(self) -> Self:
        # The password policy (security.py) for the admin that initialization creates, too.
        minimum = self.password_policy.min_length
        if self.environment == "production" and len(self.admin_password.get_secret_value()) < minimum:
            raise ValueError(f"admin_password must have at least {minimum} characters in production")
        return self
