"""Settings common to every service, read once at start-up by a factory and passed in."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

# Values that must never reach a production deployment.
PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "admin", "secret", "password", "guest"})


class ServiceSettings(BaseSettings):
    """What every service needs; each service subclasses it with its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = "development"
    # None means embedded: a SQLite file in data_dir, an in-process message transport.
    database_url: str | None = None
    broker_url: str | None = None
    data_dir: Path = Path("data")
    # Prefix for exchange and queue names, so several deployments (or test runs) share a broker.
    messaging_namespace: str = ""
    # Declare exchanges, queues and bindings at start-up. Deployments that load the topology into the
    # broker beforehand (deploy/rabbitmq) turn this off, so each service's broker user needs no
    # `configure` permission: it cannot create, change or delete queues.
    declare_topology: bool = True
    log_level: str = "INFO"
    log_json: bool = True
    outbox_poll_interval: float = Field(default=0.5, gt=0)
    outbox_batch_size: int = Field(default=200, ge=1, le=10_000)
    # A message the broker refuses (not a lost connection) is parked after this many attempts.
    outbox_park_after: int = Field(default=5, ge=1, le=1000)
    # readyz reports the relay stuck once the oldest pending message is this old and the relay keeps failing.
    outbox_stuck_after_seconds: float = Field(default=120.0, gt=0)
    consumer_prefetch: int = Field(default=16, ge=1, le=1000)
    delivery_limit: int = Field(default=5, ge=1, le=100)
    # Pause before returning a failed message, doubling with each delivery (capped at 10 s), so that an
    # outage of a few seconds (database restart) does not use up the delivery limit at once.
    retry_backoff_seconds: float = Field(default=0.5, ge=0, le=60)
    # Request bodies over this many bytes are refused with 413, counted as they arrive (chunked ones too);
    # routes that take many items at once (`.../bulk`: 20,000 tasks are about 4 MB) allow the bulk limit,
    # as large as the compose and Kubernetes gateways let through (nginx `client_max_body_size 10m`).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_bulk_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535)
    shutdown_grace_seconds: float = Field(default=20.0, gt=0)
    # Token keys (PEM). Every service needs the public key; only the catalog signs, with the private key.
    # In development both may be left unset: a key pair is kept in data_dir.
    jwt_public_key: str | None = None
    jwt_private_key: SecretStr | None = None

    @model_validator(mode="after")
    def _refuse_defaults_outside_development(self) -> Self:
        if self.environment == "development":
            return self
        missing = [name for name in ("database_url", "broker_url") if getattr(self, name) is None]
        if missing and self.environment == "production":
            raise ValueError(f"{', '.join(missing)} must be set when environment is production")
        if self.broker_url and "guest:guest@" in self.broker_url and self.environment == "production":
            raise ValueError("broker_url uses RabbitMQ's default guest credentials; set a real user")
        if self.jwt_public_key is None and self.jwt_private_key is None:
            raise ValueError(
                "jwt_public_key (or, for the catalog, jwt_private_key) must be set outside development"
            )
        for name in self.secret_fields():
            value = getattr(self, name)
            secret = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            if secret is None or str(secret).strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(f"{name} is left at a default or placeholder; set it outside development")
        return self

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        """Names of fields that must not keep a placeholder value outside development."""
        return ()

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"
