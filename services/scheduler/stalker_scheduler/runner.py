"""Run tj3 on a rendered .tjp: a fresh directory per run, no shell, a hard timeout, typed failures.

Two engines do the same scheduling with TaskJuggler's library: `driver` (default) runs our ruby/driver.rb,
which schedules and writes the dates in one small file; `cli` runs the `tj3` command and reads its CSV report
and booking export, which at 18,000 tasks took longer than the scheduling itself. `schedule` chains the pure
steps (render, tj3, parse) into the outcome message; it touches no database or broker, so the service layer
decides what to store and publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from stalker_scheduler.cache import OutcomeCache, tjp_key
from stalker_scheduler.tjp.parse import ReportError, parse_bookings, parse_csv, parse_result
from stalker_scheduler.tjp.render import render_tjp
from stalker_scheduler.tjp.validate import InvalidInput
from stalker_shared.contracts.scheduling import (
    FailureReason,
    Problem,
    ScheduleCompleted,
    ScheduleFailed,
    ScheduleRequested,
)
from stalker_shared.logging import get_logger

if TYPE_CHECKING:
    from stalker_scheduler.warm import WarmDriver

Engine = Literal["driver", "cli"]

TJ3_INSTALL_HINT = (
    "TaskJuggler's tj3 was not found. Install it with `apt-get install tj3` on Debian/Ubuntu, "
    "elsewhere with `gem install taskjuggler`, or point the scheduler at the executable."
)
DRIVER = Path(__file__).parent / "ruby" / "driver.rb"
_PROJECT_FILE = "schedule.tjp"
_RESULT_FILE = "result.tsv"
_DRIVER_UNAVAILABLE = 3  # driver.rb's exit status when this Ruby cannot load TaskJuggler
_REPORT_NAME = "breakdown"
_UNBUFFERED = "unbuffered_stdout.rb"
# Only what tj3 needs: no secret can leak through its `$(VAR)` expansion, and dates do not depend on the
# host's zone or locale (tj3 reads the file as UTF-8 only under a UTF-8 locale).
_PASSED_ENV = ("PATH", "GEM_HOME", "GEM_PATH", "RUBYLIB")
_MESSAGE = re.compile(
    r"^(?:(?P<file>[^\s:]+):(?P<line>\d+): )?(?P<severity>Error|Warning|Fatal): (?P<message>.*?)\s*$"
)
_TASK_REF = re.compile(r"\b(?:Project_\d+\.)?(?:Task_\d+\.)*Task_(\d+)\b")
_RESOURCE_REF = re.compile(r"\bUser_(\d+)\b")
_OPENS = re.compile(
    r"^\s*(?:task (?P<kind>Task|Project)_(?P<task>\d+)\s|resource User_(?P<user>\d+)\s)?.*\{\s*$"
)
_PROGRESS = re.compile(r"^(?P<label>\S.*?)\s+(?:\.\.\.|\[(?P<state>.*)\])$")
_PHASES = {
    "Reading": "read",
    "Preparing": "prepare",
    "Scheduling": "schedule",
    "Checking": "check",
    "Exporting": "export",
}
_log = get_logger(__name__)


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
class _Finished:
    returncode: int
    stderr: str
    phases: dict[str, float]
    elapsed: float


async def run_tj3(tjp_text: str, *, tj3_path: str = "tj3", timeout: float, yjit: bool = False) -> Tj3Result:
    """Run tj3 on `tjp_text` and return the one CSV report it writes (`yjit`: with Ruby's JIT)."""
    with tempfile.TemporaryDirectory(prefix="stalker-tj3-") as workdir:
        directory = Path(workdir)
        await asyncio.to_thread((directory / _PROJECT_FILE).write_text, tjp_text, encoding="utf-8")
        await asyncio.to_thread((directory / _UNBUFFERED).write_text, "$stdout.sync = true\n")
        # `--enable=yjit` (not `--yjit`) because a Ruby without YJIT only warns about it instead of failing.
        rubyopt = f"-r{directory / _UNBUFFERED}" + (" --enable=yjit" if yjit else "")
        command = (tj3_path, "--no-color", _PROJECT_FILE, "-o", workdir)
        try:
            finished = await _execute(command, directory, _environment(directory, rubyopt), timeout)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise Tj3Missing(f"{TJ3_INSTALL_HINT} ({tj3_path}: {exc.strerror})") from exc
        if finished.returncode != 0:
            raise _failure(finished)
        reports = await asyncio.to_thread(lambda: sorted(directory.glob("*.csv")))
        if len(reports) != 1:
            raise Tj3Failed(
                f"tj3 wrote {len(reports)} CSV reports, expected one",
                (),
                stderr=finished.stderr,
                returncode=0,
            )
        csv_text = await asyncio.to_thread(reports[0].read_text, encoding="utf-8")
        exports = await asyncio.to_thread(lambda: sorted(directory.glob("*.tji")))
        bookings = await asyncio.to_thread(exports[0].read_text, encoding="utf-8") if exports else None
        return Tj3Result(
            csv_text=csv_text,
            stderr=finished.stderr,
            phases=finished.phases,
            elapsed=finished.elapsed,
            bookings_text=bookings,
        )


async def run_driver(
    tjp_text: str, *, ruby_path: str = "ruby", timeout: float, yjit: bool = False
) -> Tj3Result:
    """Schedule `tjp_text` with ruby/driver.rb and return its result file (`yjit`: with Ruby's JIT).

    Raises DriverUnavailable when `ruby_path` cannot run or cannot load TaskJuggler; every other outcome
    (errors, timeout) is reported as for the tj3 command.
    """
    with tempfile.TemporaryDirectory(prefix="stalker-tj3-") as workdir:
        directory = Path(workdir)
        await asyncio.to_thread((directory / _PROJECT_FILE).write_text, tjp_text, encoding="utf-8")
        jit = ("--enable=yjit",) if yjit else ()
        command = (ruby_path, *jit, str(DRIVER), _PROJECT_FILE, _RESULT_FILE)
        try:
            finished = await _execute(command, directory, _environment(directory, ""), timeout)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise DriverUnavailable(f"Ruby was not found ({ruby_path}: {exc.strerror})") from exc
        if finished.returncode == _DRIVER_UNAVAILABLE:
            lines = [line for line in finished.stderr.splitlines() if line.strip()]
            raise DriverUnavailable(lines[-1] if lines else f"{ruby_path} cannot run the tj3 driver")
        if finished.returncode != 0:
            raise _failure(finished)
        try:
            result = await asyncio.to_thread((directory / _RESULT_FILE).read_text, encoding="utf-8")
        except FileNotFoundError:
            raise Tj3Failed(
                "the tj3 driver wrote no result", (), stderr=finished.stderr, returncode=0
            ) from None
        return Tj3Result(
            csv_text="",
            stderr=finished.stderr,
            phases=finished.phases,
            elapsed=finished.elapsed,
            result_text=result,
        )


async def run_engine(
    tjp_text: str,
    *,
    engine: Engine = "driver",
    tj3_path: str = "tj3",
    ruby_path: str = "ruby",
    timeout: float,
    yjit: bool = False,
    warm: WarmDriver | None = None,
) -> Tj3Result:
    """Run the chosen engine; a driver that cannot run here falls back to the tj3 command, slower but with
    the same dates, so a host without a usable Ruby library still schedules (or says tj3 is missing).

    With `warm`, the driver runs in a child of that warm server (which has its own Ruby and YJIT setting).
    """
    if engine == "driver":
        started = time.perf_counter()
        try:
            if warm is not None:
                return await warm.run(tjp_text, timeout=timeout)
            return await run_driver(tjp_text, ruby_path=ruby_path, timeout=timeout, yjit=yjit)
        except DriverUnavailable as exc:
            _log.warning("tj3 driver unavailable, running the tj3 command instead", reason=exc.message)
            timeout = max(timeout - (time.perf_counter() - started), 0.001)
    return await run_tj3(tjp_text, tj3_path=tj3_path, timeout=timeout, yjit=yjit)


async def _execute(
    command: tuple[str, ...], directory: Path, env: dict[str, str], timeout: float
) -> _Finished:
    """Run `command` in `directory`, timing its phases; on timeout its whole process group is killed."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=directory,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # one process group: a wrapper script's children die with it
    )
    try:
        async with asyncio.timeout(timeout):
            phases, stderr_bytes = await asyncio.gather(
                _progress(process.stdout, started), _read_all(process.stderr)
            )
            returncode = await process.wait()
    except TimeoutError:
        raise Tj3Timeout(f"tj3 did not finish within {timeout:g} s and was stopped") from None
    finally:
        await _stop(process)
    return _Finished(
        returncode=returncode,
        stderr=stderr_bytes.decode("utf-8", errors="replace"),
        phases=phases,
        elapsed=time.perf_counter() - started,
    )


def _failure(finished: _Finished) -> Tj3Failed:
    problems = map_problems(finished.stderr)
    first = next((problem.message for problem in problems if problem.severity == "error"), None)
    return Tj3Failed(
        f"tj3 failed: {first or f'exit status {finished.returncode}'}",
        problems,
        stderr=finished.stderr,
        returncode=finished.returncode,
    )


def _environment(workdir: Path, rubyopt: str) -> dict[str, str]:
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


async def _read_all(stream: asyncio.StreamReader | None) -> bytes:
    return await stream.read() if stream is not None else b""


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


async def _progress(stream: asyncio.StreamReader | None, started: float) -> dict[str, float]:
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


def map_problems(
    stderr: str, request: ScheduleRequested | None = None, tjp_text: str | None = None
) -> list[Problem]:
    """tj3's `file:line: Error|Warning: message` lines as Problems, with the task or resource they name.

    A message naming no task is attributed through its line number to the task or resource block of
    `tjp_text` that contains it; `request` adds names. tj3's echo of the offending source line is dropped.
    """
    owners = _line_owners(tjp_text) if tjp_text else {}
    task_names = {task.id: task.name for task in request.tasks} if request else {}
    resource_names = {resource.id: resource.name for resource in request.resources} if request else {}
    problems = []
    for raw in stderr.splitlines():
        match = _MESSAGE.match(raw)
        if match is None:
            continue
        message = match.group("message")
        line = int(match.group("line")) if match.group("line") else None
        task = _TASK_REF.search(message)
        resource = _RESOURCE_REF.search(message)
        task_id = int(task.group(1)) if task else None
        resource_id = int(resource.group(1)) if resource else None
        owner_kind, owner_id = owners.get(line or 0, ("", 0))
        if task_id is None and owner_kind == "task":
            task_id = owner_id
        if resource_id is None and owner_kind == "resource":
            resource_id = owner_id
        problems.append(
            Problem(
                severity="warning" if match.group("severity") == "Warning" else "error",
                line=line or None,
                message=message,
                task_id=task_id,
                task_name=task_names.get(task_id) if task_id is not None else None,
                resource_id=resource_id,
                resource_name=resource_names.get(resource_id) if resource_id is not None else None,
            )
        )
    if not any(problem.severity == "error" for problem in problems) and stderr.strip():
        # Not tj3's own format (a crash, a wrapper script): keep its last words.
        last = [line.strip() for line in stderr.splitlines() if line.strip()][-1]
        if not _MESSAGE.match(last):
            problems.append(Problem(severity="error", message=last))
    return problems


def _line_owners(tjp_text: str) -> dict[int, tuple[str, int]]:
    """Line number -> innermost enclosing task or resource block, for the renderer's one-block-per-line
    layout (a block opens at a line ending in `{` and closes at a line holding only `}`)."""
    owners: dict[int, tuple[str, int]] = {}
    stack: list[tuple[str, int] | None] = []
    for number, line in enumerate(tjp_text.splitlines(), start=1):
        opened = _OPENS.match(line)
        if opened:
            if opened.group("kind") == "Task":
                stack.append(("task", int(opened.group("task"))))
            elif opened.group("user"):
                stack.append(("resource", int(opened.group("user"))))
            else:
                stack.append(None)
        owner = next((item for item in reversed(stack) if item is not None), None)
        if owner is not None:
            owners[number] = owner
        if line.strip() == "}" and stack:
            stack.pop()
    return owners


async def schedule(
    request: ScheduleRequested,
    *,
    engine: Engine = "driver",
    tj3_path: str = "tj3",
    ruby_path: str = "ruby",
    timeout: float,
    yjit: bool = False,
    cache: OutcomeCache | None = None,
    warm: WarmDriver | None = None,
) -> ScheduleCompleted | ScheduleFailed:
    """Render, run tj3 and parse: the outcome message for `request`, success or failure.

    With a `cache`, a .tjp already scheduled successfully is answered from it without running tj3.
    """
    timings: dict[str, float] = {}
    tjp_text = ""
    try:
        started = time.perf_counter()
        tjp_text = render_tjp(request, _REPORT_NAME)
        timings["render"] = time.perf_counter() - started
        key = tjp_key(tjp_text)
        if cache is not None and (known := cache.get(key)) is not None:
            timings["cached"] = time.perf_counter() - started - timings["render"]
            return known.model_copy(update={"job_id": request.job_id, "timings": timings})
        result = await run_engine(
            tjp_text,
            engine=engine,
            tj3_path=tj3_path,
            ruby_path=ruby_path,
            timeout=timeout,
            yjit=yjit,
            warm=warm,
        )
        timings["tj3"] = result.elapsed
        timings |= {f"tj3.{name}": seconds for name, seconds in result.phases.items()}
        started = time.perf_counter()
        if result.result_text is not None:
            tasks, projects = parse_result(result.result_text, with_resources=request.compute_resources)
        else:
            tasks, projects = parse_csv(result.csv_text, request.studio.timezone)
        if result.bookings_text is not None:
            resources = parse_bookings(result.bookings_text)
            tasks = {
                task_id: task.model_copy(update={"resource_ids": resources.get(task_id, ())})
                for task_id, task in tasks.items()
            }
        timings["parse"] = time.perf_counter() - started
    except InvalidInput as exc:
        return _failed(request, exc.reason, str(exc), exc.problems)
    except Tj3Failed as exc:
        problems = map_problems(exc.stderr, request, tjp_text) or exc.problems
        return _failed(request, exc.reason, exc.message, problems)
    except Tj3Error as exc:
        return _failed(request, exc.reason, exc.message, exc.problems)
    except ReportError as exc:
        return _failed(request, "tj3_error", f"tj3's report could not be read: {exc}", ())
    warnings = [p for p in map_problems(result.stderr, request, tjp_text) if p.severity == "warning"]
    outcome = ScheduleCompleted(
        job_id=request.job_id,
        tasks=tuple(tasks[task_id] for task_id in sorted(tasks)),
        projects=tuple(projects[project_id] for project_id in sorted(projects)),
        timings=timings,
        warnings=tuple(warnings),
    )
    if cache is not None:
        cache.put(key, outcome)
    return outcome


def _failed(
    request: ScheduleRequested, reason: FailureReason, message: str, problems: Iterable[Problem]
) -> ScheduleFailed:
    return ScheduleFailed(job_id=request.job_id, reason=reason, message=message, problems=tuple(problems))
