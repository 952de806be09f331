"""The one interface every way of running TaskJuggler implements (`Tj3Engine`), and what a run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Tj3Result:
    csv_text: str
    stderr: str
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per tj3 phase (startup, read, prepare, schedule, check, report or export), from its progress
    output."""
    elapsed: float = 0.0
    bookings_text: str | None = None
    """tj3's booking export (`*.tji`), when the .tjp asked for one."""
    result_text: str | None = None
    """The driver's result file (`parse_result`); the CSV and the export are then empty."""

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


class Tj3Engine(Protocol):
    """Schedules a rendered .tjp with TaskJuggler: the tj3 command (command.py), a driver started for the
    run (cold_driver.py) or forked from a warm server (warm_driver.py), or a driver falling back to the
    command (fallback.py); choice.py picks one.

    `run` raises the errors of errors.py: Tj3Failed (tj3's own errors), Tj3Timeout (the run was stopped at
    `timeout` seconds, its whole process group killed), Tj3Missing, or DriverUnavailable (a driver that
    cannot run here). `yjit` asks for Ruby's JIT; a warm server keeps the setting it was started with.
    """

    async def run(self, tjp_text: str, *, timeout: float, yjit: bool = False) -> Tj3Result:
        """Schedule `tjp_text` within `timeout` seconds."""
        ...
