"""The cold driver: a Ruby started for each run on our ruby/driver.rb, which schedules with TaskJuggler's
library as the tj3 command does (same messages, same exit status) and writes every task's dates and booked
resources to one small file instead of running tj3's report machinery."""

from __future__ import annotations

from dataclasses import dataclass

from stalker_scheduler.engine.errors import DriverUnavailable
from stalker_scheduler.engine.interface import Tj3Result
from stalker_scheduler.engine.process import (
    DRIVER,
    DRIVER_UNAVAILABLE,
    PROJECT_FILE,
    RESULT_FILE,
    driver_result,
    environment,
    execute,
    run_directory,
)


@dataclass(frozen=True)
class ColdDriver:
    """ruby/driver.rb under the Ruby at `ruby_path`, one process per run, as a Tj3Engine."""

    ruby_path: str = "ruby"

    async def run(self, tjp_text: str, *, timeout: float, yjit: bool = False) -> Tj3Result:
        """Schedule `tjp_text` in a Ruby of its own (see `run_driver`)."""
        return await run_driver(tjp_text, ruby_path=self.ruby_path, timeout=timeout, yjit=yjit)


async def run_driver(
    tjp_text: str, *, ruby_path: str = "ruby", timeout: float, yjit: bool = False
) -> Tj3Result:
    """Schedule `tjp_text` with ruby/driver.rb and return its result file (`yjit`: with Ruby's JIT).

    Raises DriverUnavailable when `ruby_path` cannot run or cannot load TaskJuggler; every other outcome
    (errors, timeout) is reported as for the tj3 command.
    """
    async with run_directory(tjp_text) as directory:
        jit = ("--enable=yjit",) if yjit else ()
        command = (ruby_path, *jit, str(DRIVER), PROJECT_FILE, RESULT_FILE)
        try:
            finished = await execute(command, directory, environment(directory, ""), timeout)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise DriverUnavailable(f"Ruby was not found ({ruby_path}: {exc.strerror})") from exc
        if finished.returncode == DRIVER_UNAVAILABLE:
            lines = [line for line in finished.stderr.splitlines() if line.strip()]
            raise DriverUnavailable(lines[-1] if lines else f"{ruby_path} cannot run the tj3 driver")
        return await driver_result(directory, finished)
