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
import signal
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from stalker_scheduler.cache import OutcomeCache, tjp_key
from stalker_scheduler.tj3_problems import map_problems
from stalker_scheduler.tj3_process import (
    DRIVER,
    DRIVER_UNAVAILABLE,
    PROJECT_FILE,
    RESULT_FILE,
    DriverUnavailable,
    Finished,
    Tj3Error,
    Tj3Failed,
    Tj3Missing,
    Tj3Result,
    Tj3Timeout,
    driver_result,
    environment,
    failure,
    progress,
    read_all,
)
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

__all__ = [  # what callers import from here; the process pieces live in tj3_process
    "DRIVER",
    "DriverUnavailable",
    "Engine",
    "Tj3Error",
    "Tj3Failed",
    "Tj3Missing",
    "Tj3Result",
    "Tj3Timeout",
    "map_problems",
    "run_driver",
    "run_engine",
    "run_tj3",
    "schedule",
]

if TYPE_CHECKING:
    from stalker_scheduler.warm import WarmDriver

Engine = Literal["driver", "cli"]

_REPORT_NAME = "breakdown"
_UNBUFFERED = "unbuffered_stdout.rb"
TJ3_INSTALL_HINT = (
    "TaskJuggler's tj3 was not found. Install it with `apt-get install tj3` on Debian/Ubuntu, "
    "elsewhere with `gem install taskjuggler`, or point the scheduler at the executable."
)
_log = get_logger(__name__)


async def run_tj3(tjp_text: str, *, tj3_path: str = "tj3", timeout: float, yjit: bool = False) -> Tj3Result:
    """Run tj3 on `tjp_text` and return the one CSV report it writes (`yjit`: with Ruby's JIT)."""
    with tempfile.TemporaryDirectory(prefix="stalker-tj3-") as workdir:
        directory = Path(workdir)
        await asyncio.to_thread((directory / PROJECT_FILE).write_text, tjp_text, encoding="utf-8")
        await asyncio.to_thread((directory / _UNBUFFERED).write_text, "$stdout.sync = true\n")
        # `--enable=yjit` (not `--yjit`) because a Ruby without YJIT only warns about it instead of failing.
        rubyopt = f"-r{directory / _UNBUFFERED}" + (" --enable=yjit" if yjit else "")
        command = (tj3_path, "--no-color", PROJECT_FILE, "-o", workdir)
        try:
            finished = await _execute(command, directory, environment(directory, rubyopt), timeout)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise Tj3Missing(f"{TJ3_INSTALL_HINT} ({tj3_path}: {exc.strerror})") from exc
        if finished.returncode != 0:
            raise failure(finished)
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
        await asyncio.to_thread((directory / PROJECT_FILE).write_text, tjp_text, encoding="utf-8")
        jit = ("--enable=yjit",) if yjit else ()
        command = (ruby_path, *jit, str(DRIVER), PROJECT_FILE, RESULT_FILE)
        try:
            finished = await _execute(command, directory, environment(directory, ""), timeout)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise DriverUnavailable(f"Ruby was not found ({ruby_path}: {exc.strerror})") from exc
        if finished.returncode == DRIVER_UNAVAILABLE:
            lines = [line for line in finished.stderr.splitlines() if line.strip()]
            raise DriverUnavailable(lines[-1] if lines else f"{ruby_path} cannot run the tj3 driver")
        return await driver_result(directory, finished)


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
) -> Finished:
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
                progress(process.stdout, started), read_all(process.stderr)
            )
            returncode = await process.wait()
    except TimeoutError:
        raise Tj3Timeout(f"tj3 did not finish within {timeout:g} s and was stopped") from None
    finally:
        await _stop(process)
    return Finished(
        returncode=returncode,
        stderr=stderr_bytes.decode("utf-8", errors="replace"),
        phases=phases,
        elapsed=time.perf_counter() - started,
    )


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


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
