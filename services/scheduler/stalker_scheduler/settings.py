"""Scheduler settings, read from STALKER_SCHEDULER_* environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class SchedulerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_SCHEDULER_", extra="ignore", frozen=True)

    service_name: str = "scheduler"
