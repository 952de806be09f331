"""Run tj3 on a rendered .tjp: a fresh directory per run, no shell, a hard timeout, typed failures.

`schedule` chains the pure steps (render, tj3, parse) into the outcome message; it touches no database or
broker, so the service layer decides what to store and publish.
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
from typing import ClassVar

from stalker_scheduler.cache import OutcomeCache, tjp_key
from stalker_scheduler.tjp.parse import ReportError, parse_bookings, parse_csv
from stalker_scheduler.tjp.render import render_tjp
from stalker_scheduler.tjp.validate import InvalidInput
from stalker_shared.contracts.scheduling import (
    FailureReason,
    Problem,
    ScheduleCompleted,
    ScheduleFailed,
    ScheduleRequested,
)

TJ3_INSTALL_HINT = (
    "TaskJuggler's tj3 was not found. Install it with `apt-get install tj3` on Debian/Ubuntu, "
    "elsewhere with `gem install taskjuggler`, or point the scheduler at the executable."
)
_PROJECT_FILE = "schedule.tjp"
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
_PHASES = {"Reading": "read", "Preparing": "prepare", "Scheduling": "schedule", "Checking": "check"}


class Tj3Error(Exception):
    """tj3 could not produce a schedule; `reason` is the ScheduleFailed reason."""

    reason: ClassVar[FailureReason] = "tj3_error"

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class Tj3Missing(Tj3Error):
    reason = "tj3_missing"


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
    """Seconds per tj3 phase (startup, read, prepare, schedule, check, report), from its progress output."""
    elapsed: float = 0.0
    bookings_text: str | None = None
    """tj3's booking export (`*.tji`), when the .tjp asked for one."""

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


async def run_tj3(tjp_text: str, *, tj3_path: str = "tj3", timeout: float, yjit: bool = False) -> Tj3Result:
    """Run tj3 on `tjp_text` and return the one CSV report it writes (`yjit`: with Ruby's JIT)."""
    with tempfile.TemporaryDirectory(prefix="stalker-tj3-") as workdir:
        directory = Path(workdir)
        await asyncio.to_thread((directory / _PROJECT_FILE).write_text, tjp_text, encoding="utf-8")
        await asyncio.to_thread((directory / _UNBUFFERED).write_text, "$stdout.sync = true\n")
        started = time.perf_counter()
        try:
            process = await asyncio.create_subprocess_exec(
                tj3_path,
                "--no-color",
                _PROJECT_FILE,
                "-o",
                workdir,
                cwd=workdir,
                env=_environment(directory, yjit=yjit),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # one process group: a wrapper script's children die with it
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise Tj3Missing(f"{TJ3_INSTALL_HINT} ({tj3_path}: {exc.strerror})") from exc
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
        elapsed = time.perf_counter() - started
        stderr = stderr_bytes.decode("utf-8", errors="replace")
        if returncode != 0:
            problems = map_problems(stderr)
            first = next((problem.message for problem in problems if problem.severity == "error"), None)
            raise Tj3Failed(
                f"tj3 failed: {first or f'exit status {returncode}'}",
                problems,
                stderr=stderr,
                returncode=returncode,
            )
        reports = await asyncio.to_thread(lambda: sorted(directory.glob("*.csv")))
        if len(reports) != 1:
            raise Tj3Failed(
                f"tj3 wrote {len(reports)} CSV reports, expected one", (), stderr=stderr, returncode=0
            )
        csv_text = await asyncio.to_thread(reports[0].read_text, encoding="utf-8")
        exports = await asyncio.to_thread(lambda: sorted(directory.glob("*.tji")))
        bookings = await asyncio.to_thread(exports[0].read_text, encoding="utf-8") if exports else None
        return Tj3Result(
            csv_text=csv_text, stderr=stderr, phases=phases, elapsed=elapsed, bookings_text=bookings
        )


def _environment(workdir: Path, *, yjit: bool = False) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.setdefault("PATH", os.defpath)
    # HOME and the working directory are the fresh run directory, so no stray .taskjugglerrc applies;
    # the required file makes Ruby flush progress lines at once, which is what times the phases.
    # `--enable=yjit` (not `--yjit`) because a Ruby without YJIT only warns about it instead of failing.
    rubyopt = f"-r{workdir / _UNBUFFERED}" + (" --enable=yjit" if yjit else "")
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
    tj3_path: str = "tj3",
    timeout: float,
    yjit: bool = False,
    cache: OutcomeCache | None = None,
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
        result = await run_tj3(tjp_text, tj3_path=tj3_path, timeout=timeout, yjit=yjit)
        timings["tj3"] = result.elapsed
        timings |= {f"tj3.{name}": seconds for name, seconds in result.phases.items()}
        started = time.perf_counter()
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
