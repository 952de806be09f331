"""The one place that picks how tj3 runs: from the settings for a worker, or from a caller's keywords.

`cli` is the tj3 command. `driver` (the default) is our Ruby driver, warm (one server per worker, started
with it) or cold (a Ruby per run), falling back to the tj3 command when it cannot run here.
"""

from __future__ import annotations

from typing import Literal

from stalker_scheduler.engine.cold_driver import ColdDriver
from stalker_scheduler.engine.command import Tj3Command
from stalker_scheduler.engine.fallback import DriverOrCommand
from stalker_scheduler.engine.interface import Tj3Engine, Tj3Result
from stalker_scheduler.engine.warm_driver import START_TIMEOUT_SECONDS, WarmDriver
from stalker_scheduler.settings import SchedulerSettings

EngineKind = Literal["driver", "cli"]


def choose_engine(
    kind: EngineKind = "driver",
    *,
    tj3_path: str = "tj3",
    ruby_path: str = "ruby",
    warm: WarmDriver | None = None,
) -> Tj3Engine:
    """The engine for `kind`: with `driver`, the `warm` driver if given (it has its own Ruby and YJIT
    setting), else a cold one at `ruby_path`, either falling back to the tj3 command at `tj3_path`."""
    command = Tj3Command(tj3_path)
    if kind == "cli":
        return command
    return DriverOrCommand(warm if warm is not None else ColdDriver(ruby_path), command)


def warm_driver(settings: SchedulerSettings) -> WarmDriver | None:
    """The worker's warm driver when its settings use one; its server starts with the worker."""
    if settings.tj3_engine != "driver" or not settings.tj3_warm_driver:
        return None
    return WarmDriver(
        settings.ruby_path,
        yjit=settings.tj3_yjit,
        start_timeout=min(START_TIMEOUT_SECONDS, settings.tj3_timeout_seconds),
    )


def engine_from_settings(settings: SchedulerSettings) -> tuple[Tj3Engine, WarmDriver | None]:
    """A worker's engine, and the warm driver inside it (if the settings use one) that the worker starts
    and stops with itself."""
    warm = warm_driver(settings)
    engine = choose_engine(
        settings.tj3_engine, tj3_path=settings.tj3_path, ruby_path=settings.ruby_path, warm=warm
    )
    return engine, warm


async def run_engine(
    tjp_text: str,
    *,
    engine: EngineKind = "driver",
    tj3_path: str = "tj3",
    ruby_path: str = "ruby",
    timeout: float,
    yjit: bool = False,
    warm: WarmDriver | None = None,
) -> Tj3Result:
    """Run `tjp_text` on the engine `choose_engine` picks for these keywords."""
    chosen = choose_engine(engine, tj3_path=tj3_path, ruby_path=ruby_path, warm=warm)
    return await chosen.run(tjp_text, timeout=timeout, yjit=yjit)
