"""How TaskJuggler runs on a rendered .tjp, every way behind one interface, `Tj3Engine` (interface.py):

- command.py      the tj3 command, its CSV report and booking export read back
- cold_driver.py  our ruby/driver.rb in a Ruby started for the run
- warm_driver.py  the same driver forked from a warm server per worker (warm_server.py: that process)
- fallback.py     a driver that cannot run here hands the run to the tj3 command
- choice.py       the one place that picks among them, from the settings or a caller's keywords
- process.py, progress.py, errors.py: what the processes share (files, environment, timeout and
  process-group kill, phase timings, failures)
"""

from stalker_scheduler.engine.choice import (
    EngineKind,
    choose_engine,
    engine_from_settings,
    run_engine,
    warm_driver,
)
from stalker_scheduler.engine.cold_driver import ColdDriver, run_driver
from stalker_scheduler.engine.command import TJ3_INSTALL_HINT, Tj3Command, run_tj3
from stalker_scheduler.engine.errors import (
    DriverUnavailable,
    Tj3Error,
    Tj3Failed,
    Tj3Missing,
    Tj3Timeout,
)
from stalker_scheduler.engine.fallback import DriverOrCommand
from stalker_scheduler.engine.interface import Tj3Engine, Tj3Result
from stalker_scheduler.engine.process import DRIVER
from stalker_scheduler.engine.warm_driver import WarmDriver

__all__ = [
    "DRIVER",
    "TJ3_INSTALL_HINT",
    "ColdDriver",
    "DriverOrCommand",
    "DriverUnavailable",
    "EngineKind",
    "Tj3Command",
    "Tj3Engine",
    "Tj3Error",
    "Tj3Failed",
    "Tj3Missing",
    "Tj3Result",
    "Tj3Timeout",
    "WarmDriver",
    "choose_engine",
    "engine_from_settings",
    "run_driver",
    "run_engine",
    "run_tj3",
    "warm_driver",
]
