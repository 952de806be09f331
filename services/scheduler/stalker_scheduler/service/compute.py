"""A schedule request's outcome: render the .tjp, run it on an engine, parse what it gives back, as
ScheduleCompleted or ScheduleFailed. Touches no database or broker, so the handler (scheduling.py) decides
what to store and publish; every failure becomes a message with its reason and problems.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from stalker_scheduler.engine.choice import EngineKind, choose_engine
from stalker_scheduler.engine.errors import Tj3Error, Tj3Failed
from stalker_scheduler.engine.interface import Tj3Engine, Tj3Result
from stalker_scheduler.engine.warm_driver import WarmDriver
from stalker_scheduler.service.cache import OutcomeCache, tjp_key
from stalker_scheduler.tjp.parse import ReportError, parse_bookings, parse_csv, parse_result
from stalker_scheduler.tjp.problems import map_problems
from stalker_scheduler.tjp.render import render_tjp
from stalker_scheduler.tjp.validate import InvalidInput
from stalker_shared.contracts.scheduling import (
    FailureReason,
    Problem,
    ProjectResult,
    ScheduleCompleted,
    ScheduleFailed,
    ScheduleRequested,
    TaskResult,
)

_REPORT_NAME = "breakdown"


async def schedule(
    request: ScheduleRequested,
    *,
    engine: EngineKind = "driver",
    tj3_path: str = "tj3",
    ruby_path: str = "ruby",
    timeout: float,
    yjit: bool = False,
    cache: OutcomeCache | None = None,
    warm: WarmDriver | None = None,
) -> ScheduleCompleted | ScheduleFailed:
    """`schedule_with` on the engine these keywords choose (engine/choice.py)."""
    chosen = choose_engine(engine, tj3_path=tj3_path, ruby_path=ruby_path, warm=warm)
    return await schedule_with(request, chosen, timeout=timeout, yjit=yjit, cache=cache)


async def schedule_with(
    request: ScheduleRequested,
    engine: Tj3Engine,
    *,
    timeout: float,
    yjit: bool = False,
    cache: OutcomeCache | None = None,
) -> ScheduleCompleted | ScheduleFailed:
    """Render, run tj3 on `engine` and parse: the outcome message for `request`, success or failure.

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
        result = await engine.run(tjp_text, timeout=timeout, yjit=yjit)
        timings["tj3"] = result.elapsed
        timings |= {f"tj3.{name}": seconds for name, seconds in result.phases.items()}
        started = time.perf_counter()
        tasks, projects = _results(result, request)
        timings["parse"] = time.perf_counter() - started
    except InvalidInput as exc:
        return _failed(request, exc.reason, str(exc), exc.problems)
    except Tj3Failed as exc:
        problems = map_problems(exc.stderr, request, tjp_text) or exc.problems
        return _failed(request, exc.reason, _explained(exc.message, problems), problems)
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


def _results(
    result: Tj3Result, request: ScheduleRequested
) -> tuple[dict[int, TaskResult], dict[int, ProjectResult]]:
    """The task and project results in what the engine wrote: the driver's file, or tj3's reports."""
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
    return tasks, projects


def _failed(
    request: ScheduleRequested, reason: FailureReason, message: str, problems: Iterable[Problem]
) -> ScheduleFailed:
    return ScheduleFailed(job_id=request.job_id, reason=reason, message=message, problems=tuple(problems))


def _explained(message: str, problems: Iterable[Problem]) -> str:
    """The failure said in plain words (the first error's explanation), tj3's own text after it."""
    explanation = next((p.explanation for p in problems if p.severity == "error" and p.explanation), None)
    return f"{explanation} (tj3: {message})" if explanation else message
