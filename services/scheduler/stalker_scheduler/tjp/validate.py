"""Checks of a schedule request that tj3 would report badly or not at all (broken references, cycles)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import ClassVar

from stalker_scheduler.tjp.clock import TJ3_MAX_YEAR, TJ3_MIN_YEAR, tj3_accepts_zone
from stalker_shared.contracts.scheduling import FailureReason, Problem, ScheduleRequested, TaskSnapshot


class InvalidInput(Exception):
    """The request cannot be turned into a .tjp; `problems` says why, per task or resource."""

    reason: ClassVar[FailureReason] = "invalid_input"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(problem.message for problem in self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(f"invalid schedule request: {shown}{more}")


def check_request(request: ScheduleRequested) -> None:
    """Raise InvalidInput listing every problem found, or return quietly."""
    problems = find_problems(request)
    if problems:
        raise InvalidInput(problems)


def find_problems(request: ScheduleRequested) -> list[Problem]:
    """Every reference and calendar problem of the request, in one linear pass per kind."""
    problems = _studio_problems(request)
    problems += _duplicates("resource", (resource.id for resource in request.resources))
    problems += _duplicates("project", (project.id for project in request.projects))
    problems += _duplicates("task", (task.id for task in request.tasks))
    resource_ids = {resource.id for resource in request.resources}
    project_ids = {project.id for project in request.projects}
    tasks = {task.id: task for task in request.tasks}
    for task in request.tasks:
        problems += _task_problems(task, tasks, project_ids, resource_ids)
    problems += _parent_cycles(tasks)
    return problems


def _error(message: str, task: TaskSnapshot | None = None, resource_id: int | None = None) -> Problem:
    return Problem(
        severity="error",
        kind="invalid_input",
        explanation=message,
        message=message,
        task_id=task.id if task else None,
        task_name=task.name if task else None,
        resource_id=resource_id,
    )


def _studio_problems(request: ScheduleRequested) -> list[Problem]:
    studio = request.studio
    problems = []
    if not tj3_accepts_zone(studio.timezone):
        problems.append(_error(f"time zone {studio.timezone!r} is not a Region/City name that tj3 accepts"))
    if studio.start.year < TJ3_MIN_YEAR or studio.end.year > TJ3_MAX_YEAR:
        problems.append(_error(f"tj3 only schedules between {TJ3_MIN_YEAR} and {TJ3_MAX_YEAR}"))
    if not any(studio.working_hours.values()):
        problems.append(_error("the studio has no working hours"))
    return problems


def _duplicates(kind: str, ids: Iterable[int]) -> list[Problem]:
    counts = Counter(ids)
    return [
        _error(f"{kind} id {value} appears {count} times") for value, count in counts.items() if count > 1
    ]


def _task_problems(
    task: TaskSnapshot, tasks: dict[int, TaskSnapshot], project_ids: set[int], resource_ids: set[int]
) -> list[Problem]:
    problems = []
    if task.project_id not in project_ids:
        problems.append(_error(f"task {task.id} belongs to unknown project {task.project_id}", task))
    if task.parent_id is not None:
        parent = tasks.get(task.parent_id)
        if parent is None:
            problems.append(_error(f"task {task.id} has unknown parent {task.parent_id}", task))
        elif parent.project_id != task.project_id:
            problems.append(_error(f"task {task.id} and its parent are in different projects", task))
    for dependency in task.dependencies:
        if dependency.depends_on_id == task.id:
            problems.append(_error(f"task {task.id} depends on itself", task))
        elif dependency.depends_on_id not in tasks:
            problems.append(
                _error(f"task {task.id} depends on unknown task {dependency.depends_on_id}", task)
            )
    used = {*task.resources, *task.alternative_resources, *(booking.resource_id for booking in task.bookings)}
    for resource_id in sorted(used - resource_ids):
        problems.append(_error(f"task {task.id} uses unknown resource {resource_id}", task, resource_id))
    return problems


def _parent_cycles(tasks: dict[int, TaskSnapshot]) -> list[Problem]:
    """Tasks whose parent chain loops would never be reached from a project: report them."""
    settled: set[int] = set()
    problems = []
    for start in tasks:
        path: list[int] = []
        on_path: set[int] = set()
        current: int | None = start
        while current is not None and current in tasks and current not in settled:
            if current in on_path:
                task = tasks[current]
                problems.append(_error(f"task {current} is its own ancestor", task))
                break
            path.append(current)
            on_path.add(current)
            current = tasks[current].parent_id
        settled.update(path)
    return problems
