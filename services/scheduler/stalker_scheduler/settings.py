"""Scheduler settings, read from STALKER_SCHEDULER_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from stalker_shared.settings import ServiceSettings


class SchedulerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_SCHEDULER_", extra="ignore", frozen=True)

    service_name: str = "scheduler"
    # `driver`: our ruby/driver.rb schedules with TaskJuggler's library (the Ruby at `ruby_path` must load
    # it; RUBYLIB, GEM_HOME and GEM_PATH pass through) and writes the dates without tj3's report
    # machinery, the same dates in less time. `cli`: the `tj3` command at `tj3_path` and its reports,
    # which is also what runs when the driver cannot (no Ruby, or no TaskJuggler library for it).
    tj3_engine: Literal["driver", "cli"] = "driver"
    ruby_path: str = "ruby"
    # With the driver: one warm Ruby per worker has loaded TaskJuggler (and warmed YJIT up, with tj3_yjit,
    # whatever the size: tj3_yjit_min_tasks is for cold runs) and forks a child per run, saving Ruby's
    # start-up and the JIT's warm-up each time; a server that dies is started again (engine/warm_driver.py).
    tj3_warm_driver: bool = True
    tj3_path: str = "tj3"
    # A run longer than this is stopped and reported as a timeout (RELIABILITY R12).
    tj3_timeout_seconds: float = Field(default=900.0, gt=0)
    # Run tj3's Ruby with YJIT from this many tasks on: about 21% less tj3 time at 5,000 and 15,000 tasks,
    # but its warm-up made a 1,210-task run 17% slower (BENCHMARKS.md). A Ruby without YJIT only warns.
    tj3_yjit: bool = True
    tj3_yjit_min_tasks: int = Field(default=2000, ge=0)
    # Successful outcomes kept in memory by .tjp hash: a repeated request with nothing changed skips tj3.
    outcome_cache_size: int = Field(default=8, ge=0)
    # Where the catalog answers, for the TJP previews (GET /catalog/v1/studios/{id}/snapshot).
    catalog_url: str = "http://127.0.0.1:8080"
