"""What every way of running TaskJuggler shares: where the driver is, the files of a run, the environment a
run gets, its failures as exceptions, and the timing of its phases from its progress lines."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from stalker_scheduler.tj3_problems import map_problems
from stalker_shared.contracts.scheduling import FailureReason, Problem

DRIVER = Path(__file__).parent / "ruby" / "driver.rb"
PROJECT_FILE = "schedule.tjp"
RESULT_FILE = "result.tsv"
DRIVER_UNAVAILABLE = 3  # driver.rb's exit status when this Ruby cannot load TaskJuggler
# Only what tj3 needs: no secret can leak through its `$(VAR)` expansion, and dates do not depend on the
# host's zone or locale (tj3 reads the file as UTF-8 only under a UTF-8 locale).
_PASSED_ENV = ("PATH", "GEM_HOME", "GEM_PATH", "RUBYLIB")
_PROGRESS = re.compile(r"^(?P<label>\S.*?)\s+(?:\.\.\.|\[(?P<state>.*)\])$")
_PHASES = {
    "Reading": "read",
    "Preparing": "prepare",
    "Scheduling": "schedule",
    "Checking": "check",
    "Exporting": "export",
}


class Tj3Error(Exception):
    """tj3 could not produce a schedule; `reason` is the ScheduleFailed reason."""

    reason: ClassVar[FailureReason] = "tj3_error"

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class Tj3Missing(Tj3Error):
    reason = "tj3_missing"


class DriverUnavailable(Tj3Missing):
    """The driver cannot run here (no Ruby, or a Ruby that cannot load TaskJuggler): use the tj3 command."""


class Tj3Timeout(Tj3Error):
    reason = "timeout"


class Tj3Failed(Tj3Error):
    """tj3 ran and exited non-zero. `problems` name ids only; `map_problems` adds the request's names."""

    reason = "tj3_error"

    def __init__(self, message: str, problems: Iterable[Problem], *, stderr: str, returncode: int) -> None:
        super().__init__(message, problems)
        self.stderr = stderr
        self.returncode = returncode


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


@dataclass(frozen=True)
class Finished:
    """How a tj3 or driver process ended: its status, its stderr and its phases' seconds."""

    returncode: int
    stderr: str
    phases: dict[str, float]
    elapsed: float


def failure(finished: Finished) -> Tj3Failed:
    """A run that exited non-zero, as Tj3Failed with tj3's problems."""
    problems = map_problems(finished.stderr)
    first = next((problem.message for problem in problems if problem.severity == "error"), None)
    return Tj3Failed(
        f"tj3 failed: {first or f'exit status {finished.returncode}'}",
        problems,
        stderr=finished.stderr,
        returncode=finished.returncode,
    )


async def driver_result(directory: Path, finished: Finished) -> Tj3Result:
    """What a driver run (cold or warm) in `directory` produced: its result file, or its failure."""
    if finished.returncode != 0:
        raise failure(finished)
    try:
        result = await asyncio.to_thread((directory / RESULT_FILE).read_text, encoding="utf-8")
    except FileNotFoundError:
        raise Tj3Failed("the tj3 driver wrote no result", (), stderr=finished.stderr, returncode=0) from None
    return Tj3Result(
        csv_text="",
        stderr=finished.stderr,
        phases=finished.phases,
        elapsed=finished.elapsed,
        result_text=result,
    )


def environment(workdir: Path, rubyopt: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.setdefault("PATH", os.defpath)
    # HOME and the working directory are the fresh run directory, so no stray .taskjugglerrc applies;
    # tj3's RUBYOPT requires a file that makes Ruby flush progress lines at once, which is what times the
    # phases (the driver does that itself).
    return env | {
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "RUBYOPT": rubyopt,
    }


async def read_all(stream: asyncio.StreamReader | None) -> bytes:
    return await stream.read() if stream is not None else b""


async def progress(stream: asyncio.StreamReader | None, started: float) -> dict[str, float]:
    """Time tj3's phases from its progress lines ("Scheduling scenario Plan ... [ Done ]")."""
    first_seen: dict[str, float] = {}
    phases: dict[str, float] = {}
    pending = ""
    while stream is not None and (chunk := await stream.read(65536)):
        now = time.perf_counter()
        *segments, pending = re.split(r"[\r\n]", pending + chunk.decode("utf-8", errors="replace"))
        for segment in segments:
            match = _PROGRESS.match(segment.strip())
            if match is None:
                continue
            label = match.group("label")
            if label not in first_seen:
                first_seen[label] = now
                phases.setdefault("startup", now - started)
            if (match.group("state") or "").strip() == "Done":
                name = _PHASES.get(label.split(" ", 1)[0], "report")
                phases[name] = phases.get(name, 0.0) + now - first_seen[label]
    return phases
