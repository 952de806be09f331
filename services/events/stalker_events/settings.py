"""Events settings, read from STALKER_EVENTS_* environment variables."""

from __future__ import annotations

from pydantic import Field, IPvAnyNetwork
from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_EVENTS_", extra="ignore", frozen=True)

    service_name: str = "events"
    # Who a caller is and which projects they are in: the catalog's word (the gateway's base URL).
    catalog_url: str = "http://127.0.0.1:8080"
    catalog_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # How long the catalog's answer about a token is reused, for tools that poll the log every second: a
    # revoked token or a lost membership reaches the log this much later.
    caller_reuse_seconds: float = Field(default=5.0, ge=0, le=300)
    # Events older than this are deleted; a cursor from before them is answered 410 Gone.
    retention_days: float = Field(default=30.0, gt=0, le=3650)
    prune_interval_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # Live streams (GET /events/v1/stream): how often one query per process looks for new events while any
    # stream is open, and how many streams a user and a process may hold open.
    stream_poll_seconds: float = Field(default=0.1, ge=0.01, le=10)
    stream_max_per_user: int = Field(default=5, ge=1, le=1000)
    stream_max_total: int = Field(default=500, ge=1, le=100_000)
    # Webhooks: each request's timeout; retries of a failing endpoint back off exponentially (with jitter)
    # from base to cap; after max_attempts on one event the event is parked and the endpoint disabled.
    # An event the endpoint refuses (a 4xx other than 408/429) is parked after refused_attempts.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0, le=3600)
    webhook_retry_cap_seconds: float = Field(default=3600.0, gt=0, le=86_400)
    webhook_max_attempts: int = Field(default=15, ge=1, le=100)
    webhook_refused_attempts: int = Field(default=3, ge=1, le=100)
    webhook_poll_seconds: float = Field(default=0.25, ge=0.01, le=60)
    webhook_concurrency: int = Field(default=16, ge=1, le=256)
    webhook_max_per_owner: int = Field(default=50, ge=1, le=10_000)
    # Addresses webhooks may target besides public ones (CIDRs, e.g. ["10.20.0.0/16"]): private, loopback
    # and link-local ranges are refused unless listed here.
    webhook_allowed_networks: list[IPvAnyNetwork] = Field(default_factory=list, max_length=100)
