"""Render a schedule request as the .tjp file tj3 reads, through the Jinja2 templates next to this module.

Python builds plain view objects (every date, duration and id already in tj3 syntax); the templates only lay
them out. User strings reach the output through the `tjp_string` filter alone, and every identifier is
generated from integer ids, so no name can change the meaning of the file.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import jinja2

from stalker_scheduler.tjp.clock import (
    effective_resolution,
    nearest_slot,
    tj3_date,
    tj3_duration,
    tj3_number,
    tj3_zone_name,
)
from stalker_scheduler.tjp.validate import check_request
from stalker_shared.contracts.scheduling import (
    WEEKDAYS,
    Booking,
    MinuteRange,
    ResourceSnapshot,
    ScheduleRequested,
    TaskDependency,
    TaskSnapshot,
    Weekday,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_MACRO_START = re.compile(r"\$(?=[{(])")
_REPORT_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def tjp_string(value: object) -> str:
    """A TaskJuggler double-quoted literal that reads back as `value`, or as close as tj3 allows.

    tj3's only escape inside "..." is \\"; a backslash stays literal, so a trailing one would escape the
    closing quote and gets a space after it. `${` and `$(` expand macros and environment variables even
    inside strings, and tj3 has no escape for them: their `$` becomes a full-width dollar sign. Control
    characters (newlines included) become spaces so every directive stays on one line.
    """
    text = _CONTROL.sub(" ", str(value))
    text = _MACRO_START.sub("\uff04", text)
    text = text.replace('"', '\\"')
    if text.endswith("\\"):
        text += " "
    return f'"{text}"'


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("stalker_scheduler.tjp", "templates"),
        # The output is a TaskJuggler file, not HTML: user strings are escaped by `tjp_string` instead.
        autoescape=False,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["tjp_string"] = tjp_string
    return environment


@dataclass(frozen=True, slots=True)
class StudioView:
    tjp_id: str
    name: str
    start: str
    end: str
    resolution: int
    timezone: str
    now: str
    daily_working_hours: int
    working_hours: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResourceView:
    tjp_id: str
    name: str
    efficiency: str
    vacations: tuple[str, ...]
    working_hours: tuple[str, ...] = ()


@dataclass(slots=True)
class TaskView:
    tjp_id: str
    name: str
    pad: str
    priority: int | None = None
    depends: str | None = None
    start: str | None = None
    end: str | None = None
    milestone: bool = False
    duration: str | None = None
    allocate: str | None = None
    bookings: tuple[str, ...] = ()
    children: list[TaskView] = field(default_factory=list)


class _Views:
    """Turns the request into views; the tree and the dotted ids are built once, in linear time."""

    def __init__(self, request: ScheduleRequested) -> None:
        self.request = request
        studio = request.studio
        self.zone = ZoneInfo(studio.timezone)
        weeks = [studio.working_hours, *(r.working_hours for r in request.resources if r.working_hours)]
        boundaries = [
            minute for week in weeks for ranges in week.values() for pair in ranges for minute in pair
        ]
        self.resolution = effective_resolution(
            studio.timing_resolution, self.zone, studio.start, studio.end, boundaries
        )
        self.tasks = {task.id: task for task in request.tasks}
        self.roots: dict[int, list[TaskSnapshot]] = defaultdict(list)
        self.children: dict[int, list[TaskSnapshot]] = defaultdict(list)
        for task in sorted(request.tasks, key=lambda task: task.id):
            if task.parent_id is None:
                self.roots[task.project_id].append(task)
            else:
                self.children[task.parent_id].append(task)
        self._paths: dict[int, str] = {}

    def date(self, value: datetime, *, up: bool = False) -> str:
        return tj3_date(value, self.zone, self.resolution, up=up)

    def interval(self, start: datetime, end: datetime) -> str:
        return f"{self.date(start)} - {self.date(end, up=True)}"

    def studio(self) -> StudioView:
        studio = self.request.studio
        # Whole days, as the reference writes the frame (`start.date() - end.date()`): where an empty
        # container or a milestone lands depends on it. A frame within one day would be empty: one day.
        first_day = self.midnight(studio.start)
        last_day = max(self.midnight(studio.end), first_day + timedelta(days=1))
        return StudioView(
            tjp_id=f"Studio_{studio.id}",
            name=studio.name,
            # Read before `timezone` applies and checked against a one-hour grid: whole UTC hours.
            start=tj3_date(first_day, self.zone, 60),
            end=tj3_date(last_day, self.zone, 60, up=True),
            resolution=self.resolution,
            timezone=tj3_zone_name(studio.timezone),
            now=self.date(nearest_slot(studio.now, self.resolution)),
            daily_working_hours=studio.daily_working_hours,
            working_hours=_week(studio.working_hours),
        )

    def midnight(self, value: datetime) -> datetime:
        """The start of `value`'s day in the studio's zone."""
        return datetime.combine(value.astimezone(self.zone).date(), time(), tzinfo=self.zone)

    def resource(self, resource: ResourceSnapshot) -> ResourceView:
        return ResourceView(
            tjp_id=f"User_{resource.id}",
            name=resource.name,
            efficiency=tj3_number(resource.efficiency),
            vacations=tuple(self.interval(vacation.start, vacation.end) for vacation in resource.vacations),
            working_hours=_week(resource.working_hours) if resource.working_hours is not None else (),
        )

    def path(self, task_id: int) -> str:
        """The dotted tj3 id, e.g. Project_34.Task_36.Task_41, memoised along the parent chain."""
        chain = []
        current: int | None = task_id
        while current is not None and current not in self._paths:
            chain.append(current)
            current = self.tasks[current].parent_id
        prefix = (
            self._paths[current] if current is not None else f"Project_{self.tasks[chain[-1]].project_id}"
        )
        for item in reversed(chain):
            prefix = self._paths[item] = f"{prefix}.Task_{item}"
        return prefix

    def project_tree(self, project_id: int, name: str) -> TaskView:
        view = TaskView(tjp_id=f"Project_{project_id}", name=name, pad="")
        view.children = [self.task_tree(task, 1) for task in self.roots.get(project_id, ())]
        return view

    def task_tree(self, task: TaskSnapshot, depth: int) -> TaskView:
        view = self.task(task, depth)
        view.children = [self.task_tree(child, depth + 1) for child in self.children.get(task.id, ())]
        return view

    def task(self, task: TaskSnapshot, depth: int) -> TaskView:
        view = TaskView(tjp_id=f"Task_{task.id}", name=task.name, pad="  " * depth)
        view.priority = task.priority if task.priority != 500 else None
        links = [item for item in task.dependencies if not self.implied(task, item)]
        view.depends = ", ".join(self.dependency(item) for item in links) or None
        leaf = task.id not in self.children and not task.is_milestone
        bookings = tuple(filter(None, map(self.booking, task.bookings))) if leaf else ()
        # Logged work fixes where a task began: tj3 refuses bookings on a task pinned at its end (scheduled
        # backwards) or at both ends, or pinned to start after them. Stalker never writes the pins.
        pinned = not bookings
        if pinned and task.schedule_constraint in ("start", "both") and task.start is not None:
            view.start = self.date(task.start)
        if pinned and task.schedule_constraint in ("end", "both") and task.end is not None:
            view.end = self.date(task.end, up=True)
        if task.id in self.children:
            return view
        if task.is_milestone:
            view.milestone = True
            return view
        # tj3 rejects start + end + a duration; pinned at both ends, the dates are the duration.
        # As in the reference, only a task with resources takes time (whatever its model): without, it
        # stays empty, which tj3 places as a milestone.
        if (view.start is None or view.end is None) and task.schedule_timing > 0 and task.resources:
            view.duration = f"{task.schedule_model} {self.duration(task)}"
        view.allocate = self.allocation(task)
        # Bookings alone are too few specifications for tj3; such a task stays empty, as in Stalker.
        view.bookings = bookings if view.duration else ()
        return view

    def booking(self, booking: Booking) -> str | None:
        """A time log as a tj3 booking, its ends moved to the nearest slot boundary: two logs of one
        resource that do not overlap stay apart (rounded outwards, 10:00-10:30 and 10:30-11:00 would both
        claim the 10:00 slot, which tj3 refuses), and the hours booked stay within half a slot of those
        logged. A log shorter than half a slot can round to nothing and is left out. `overtime 2` lets it
        lie outside working hours and on vacations, as in Stalker."""
        start = nearest_slot(booking.start, self.resolution)
        end = nearest_slot(booking.end, self.resolution)
        if end <= start:
            return None
        return f"User_{booking.resource_id} {self.date(start)} - {self.date(end)} {{ overtime 2 }}"

    def implied(self, task: TaskSnapshot, link: TaskDependency) -> bool:
        """A link an ancestor's link already implies (the same task, at its end or at the same edge, and no
        gap of its own): tj3 refuses to be told a dependency twice and fails the run; left out, the dates
        are the same. The reference sends it and fails."""
        parent_id = task.parent_id
        while parent_id is not None:
            parent = self.tasks[parent_id]
            if link.gap_timing == 0 and any(
                held.depends_on_id == link.depends_on_id and held.target in ("onend", link.target)
                for held in parent.dependencies
            ):
                return True
            parent_id = parent.parent_id
        return False

    def duration(self, task: TaskSnapshot) -> str:
        """The timing in tj3's units; a calendar-bound one (duration, length) shorter than a slot takes one
        slot, as tj3 itself rounds a short effort (it refuses the others: "too few specifications")."""
        minutes = {"min": 1, "h": 60}.get(task.schedule_unit)
        too_short = minutes is not None and task.schedule_timing * minutes < self.resolution
        if task.schedule_model != "effort" and too_short:
            return f"{tj3_number(self.resolution)}min"
        return tj3_duration(task.schedule_timing, task.schedule_unit)

    def dependency(self, dependency: TaskDependency) -> str:
        gap = ""
        if dependency.gap_timing > 0:
            gap = f" gap{dependency.gap_model} {tj3_duration(dependency.gap_timing, dependency.gap_unit)}"
        return f"{self.path(dependency.depends_on_id)} {{{dependency.target}{gap}}}"

    def allocation(self, task: TaskSnapshot) -> str | None:
        if not task.resources:
            return None
        if not task.alternative_resources:
            return ", ".join(f"User_{resource_id}" for resource_id in task.resources)
        alternatives = ", ".join(f"User_{resource_id}" for resource_id in task.alternative_resources)
        options = f"alternative {alternatives} select {task.allocation_strategy}"
        if task.persistent_allocation:
            options += " persistent"
        return ", ".join(f"User_{resource_id} {{ {options} }}" for resource_id in task.resources)


def _week(hours: Mapping[Weekday, tuple[MinuteRange, ...]]) -> tuple[str, ...]:
    """`workinghours` lines for all seven days: a day missing or empty is off."""
    lines = []
    for day in WEEKDAYS:
        times = ", ".join(f"{_clock(start)} - {_clock(end)}" for start, end in hours.get(day, ()))
        lines.append(f"{day} {times or 'off'}")
    return tuple(lines)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _macros() -> Any:
    return _environment().get_template("macros.tjp.j2").module


def render_tjp(request: ScheduleRequested, report_name: str, *, bookings_export: bool = True) -> str:
    """The whole .tjp: studio header, resources, every project's task tree and the CSV report.

    With compute_resources, who does each task comes from an export of tj3's bookings
    (`<report_name>-bookings.tji`, read by `parse_bookings`) unless `bookings_export` is False, which asks
    for the report's (much slower) resources column instead.
    """
    if not _REPORT_NAME.fullmatch(report_name):
        raise ValueError("report_name must be 1-100 letters, digits, '_' or '-'")
    check_request(request)
    views = _Views(request)
    template = _environment().get_template("project.tjp.j2")
    return template.render(
        studio=views.studio(),
        studio_vacations=[views.interval(vacation.start, vacation.end) for vacation in request.vacations],
        resources=[views.resource(resource) for resource in request.resources],
        projects=[views.project_tree(project.id, project.name) for project in request.projects],
        report_name=report_name,
        compute_resources=request.compute_resources,
        bookings_export=bookings_export,
    )


def render_studio_tjp(request: ScheduleRequested) -> str:
    """The studio alone: the project header tj3 gets."""
    return str(_macros().studio(_Views(request).studio()))


def render_resource_tjp(request: ScheduleRequested, resource_id: int) -> str:
    """One resource (a user) with its vacations."""
    resource = _find(request.resources, resource_id, "resource")
    return str(_macros().resource(_Views(request).resource(resource)))


def render_task_tjp(request: ScheduleRequested, task_id: int) -> str:
    """One task and its subtree, indented at its depth in the project."""
    check_request(request)
    views = _Views(request)
    task = _find(request.tasks, task_id, "task")
    depth = views.path(task_id).count(".")
    return str(_macros().tasks([views.task_tree(task, depth)]))


def render_project_tjp(request: ScheduleRequested, project_id: int) -> str:
    """One project with its whole task tree."""
    check_request(request)
    project = _find(request.projects, project_id, "project")
    return str(_macros().tasks([_Views(request).project_tree(project.id, project.name)]))


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


_Item = TypeVar("_Item", bound=_Identified)


def _find(items: Iterable[_Item], item_id: int, kind: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {kind} with id {item_id} in the request")
