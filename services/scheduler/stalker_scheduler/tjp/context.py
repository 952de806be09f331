"""What an explanation of tj3's messages needs to know about the plan: the names of tasks and resources,
the studio's frame and time zone as tj3 saw them, and who is on leave. Works, with ids for names, without
the request."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from stalker_scheduler.tjp.messages import DATE
from stalker_shared.contracts.scheduling import ResourceSnapshot, ScheduleRequested, TaskSnapshot, Vacation

_FRAME = re.compile(rf"^project \S+ \".*\" (?P<start>{DATE}) - (?P<end>{DATE}) \{{")
_RESOLUTION = re.compile(r"^\s*timingresolution (\d+)min\s*$", re.MULTILINE)
_UNITS = {"min": "minute", "h": "hour", "d": "day", "w": "week", "m": "month", "y": "year"}


def tj3_datetime(text: str) -> datetime | None:
    """A date as tj3 prints it (`2026-03-02-09:00-+0000`), None for anything else (`<?>`)."""
    for shape in ("%Y-%m-%d-%H:%M-%z", "%Y-%m-%d-%H:%M:%S-%z"):
        try:
            return datetime.strptime(text, shape)
        except ValueError:
            continue
    return None


class ProblemContext:
    """Names and dates for explanations, from the request and the .tjp tj3 read (both optional)."""

    def __init__(self, request: ScheduleRequested | None, tjp_text: str | None) -> None:
        self.request = request
        self.tasks: dict[int, TaskSnapshot] = {task.id: task for task in request.tasks} if request else {}
        self.resources: dict[int, ResourceSnapshot] = (
            {resource.id: resource for resource in request.resources} if request else {}
        )
        self._codes = {project.id: project.code for project in request.projects} if request else {}
        self.zone = ZoneInfo(request.studio.timezone) if request else None
        lines = (tjp_text or "").splitlines()[:3]
        header = next((found for line in lines if (found := _FRAME.match(line))), None)
        self.frame_start = tj3_datetime(header.group("start")) if header else None
        self.frame_end = tj3_datetime(header.group("end")) if header else None
        if header is None and request is not None:
            self.frame_start, self.frame_end = request.studio.start, request.studio.end
        found = _RESOLUTION.search(tjp_text or "")
        self.resolution = int(found.group(1)) if found else None

    def task(self, task_id: int | None) -> TaskSnapshot | None:
        return self.tasks.get(task_id) if task_id is not None else None

    def task_name(self, task_id: int | None) -> str | None:
        task = self.task(task_id)
        return task.name if task else None

    def resource_name(self, resource_id: int | None) -> str | None:
        resource = self.resources.get(resource_id) if resource_id is not None else None
        return resource.name if resource else None

    def resource_named(self, name: str) -> int | None:
        return next((rid for rid, resource in self.resources.items() if resource.name == name), None)

    def label(self, task_id: int) -> str:
        """How people know the task: its name and where it sits, `Animation (SH001)`."""
        task = self.tasks.get(task_id)
        if task is None:
            return f"task {task_id}"
        parent = self.tasks.get(task.parent_id) if task.parent_id is not None else None
        where = parent.name if parent else self._codes.get(task.project_id)
        return f"{task.name} ({where})" if where else task.name

    def labels(self, task_ids: list[int]) -> str:
        """`A`, `A and B`, `A, B and C`."""
        names = [self.label(task_id) for task_id in task_ids]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def who(self, resource_id: int) -> str:
        return self.resource_name(resource_id) or f"resource {resource_id}"

    def when(self, value: datetime | str | None) -> str:
        """A moment in the studio's zone, to the minute (the day alone at midnight)."""
        moment = tj3_datetime(value) if isinstance(value, str) else value
        if moment is None:
            return str(value) if value else "?"
        if self.zone is not None:
            moment = moment.astimezone(self.zone)
        return moment.strftime("%Y-%m-%d" if (moment.hour, moment.minute) == (0, 0) else "%Y-%m-%d %H:%M")

    def studio_end(self) -> str:
        """`the studio's end 2026-04-01`, without the date when it is not known."""
        return "the studio's end" + (f" {self.when(self.frame_end)}" if self.frame_end else "")

    def studio_start(self) -> str:
        return "the studio's start" + (f" {self.when(self.frame_start)}" if self.frame_start else "")

    def studio_dates(self) -> str:
        """`the studio's dates (2026-03-02 - 2026-04-01)`, without them when they are not known."""
        known = self.frame_start and self.frame_end
        return "the studio's dates" + (
            f" ({self.when(self.frame_start)} - {self.when(self.frame_end)})" if known else ""
        )

    def amount(self, task_id: int | None) -> str | None:
        """How much the task asks for in its own terms: `40 days of work`, `3 calendar days`."""
        task = self.task(task_id)
        if task is None:
            return None
        count = f"{task.schedule_timing:g} {_UNITS[task.schedule_unit]}"
        count += "" if task.schedule_timing == 1 else "s"
        return {"effort": f"{count} of work", "length": f"{count} of working time", "duration": count}[
            task.schedule_model
        ]

    def hours(self, slots: int) -> str | None:
        """tj3's count of time slots as hours, when the resolution is known."""
        if self.resolution is None:
            return None
        return f"{slots * self.resolution / 60:g} h"

    def leave_until_end(self, resource_id: int, start: datetime | None) -> Vacation | None:
        """The leave (own or studio-wide, joined) that keeps the resource away from `start` (the frame's
        start when unknown) to the end of the frame, if there is one."""
        resource = self.resources.get(resource_id)
        begin = start or self.frame_start
        if resource is None or self.request is None or begin is None or self.frame_end is None:
            return None
        spans = sorted((*resource.vacations, *self.request.vacations), key=lambda leave: leave.start)
        covered_from: datetime | None = None
        reach = begin
        for leave in spans:
            if leave.start > reach:
                break  # a gap: the resource is back at `reach`
            if leave.end > reach:
                covered_from = covered_from or leave.start
                reach = leave.end
        if covered_from is None or reach < self.frame_end:
            return None
        return Vacation(start=covered_from, end=reach)
