"""What-if runs: the imagined changes (`WhatIf`) and the scenario they give against the plan (`Scenario`)."""

from __future__ import annotations

from datetime import datetime

from stalker_client._model import Model


class LeaveChange(Model):
    user_id: int | None = None
    """None: the whole studio's leave."""
    start: datetime
    end: datetime


class TaskUser(Model):
    task_id: int
    user_id: int


class ProjectEnd(Model):
    project_id: int
    end: datetime


class TimingChange(Model):
    task_id: int
    schedule_timing: float
    schedule_unit: str | None = None
    """min, h, d, w, m or y; None keeps the task's."""


class PriorityChange(Model):
    task_id: int
    priority: int
    """0 to 1000."""


class WhatIf(Model):
    """Imagined changes for a what-if run: give the lists, or build it step by step,
    `WhatIf().add_vacation(alice_id, start, end).set_priority(task_id, 800)`. The server checks them
    (an unknown id or field is its problem naming the field)."""

    vacations_added: list[LeaveChange] = []
    vacations_cancelled: list[int] = []
    """Vacation ids."""
    resources_added: list[TaskUser] = []
    resources_removed: list[TaskUser] = []
    project_ends: list[ProjectEnd] = []
    timings: list[TimingChange] = []
    priorities: list[PriorityChange] = []

    def add_vacation(self, user_id: int | None, start: datetime, end: datetime) -> WhatIf:
        """Leave for the user (None: the whole studio) from start to end; give them a time zone."""
        self.vacations_added.append(LeaveChange(user_id=user_id, start=start, end=end))
        return self

    def cancel_vacation(self, vacation_id: int) -> WhatIf:
        self.vacations_cancelled.append(vacation_id)
        return self

    def add_resource(self, task_id: int, user_id: int) -> WhatIf:
        self.resources_added.append(TaskUser(task_id=task_id, user_id=user_id))
        return self

    def remove_resource(self, task_id: int, user_id: int) -> WhatIf:
        self.resources_removed.append(TaskUser(task_id=task_id, user_id=user_id))
        return self

    def end_project(self, project_id: int, end: datetime) -> WhatIf:
        """A new end (deadline) for the project."""
        self.project_ends.append(ProjectEnd(project_id=project_id, end=end))
        return self

    def set_timing(self, task_id: int, schedule_timing: float, schedule_unit: str | None = None) -> WhatIf:
        self.timings.append(
            TimingChange(task_id=task_id, schedule_timing=schedule_timing, schedule_unit=schedule_unit)
        )
        return self

    def set_priority(self, task_id: int, priority: int) -> WhatIf:
        self.priorities.append(PriorityChange(task_id=task_id, priority=priority))
        return self


class TaskMove(Model):
    """A task whose dates or resources differ in the scenario from the current plan."""

    task_id: int
    name: str
    project_id: int
    planned_start: datetime | None
    planned_end: datetime | None
    start: datetime
    """The scenario's."""
    end: datetime
    start_shift_hours: float | None
    """Scenario minus plan, in calendar hours; None when the task was not planned."""
    end_shift_hours: float | None
    resources_before: list[int] = []
    resources_after: list[int] = []
    misses_project_end: bool = False


class ProjectOutcome(Model):
    project_id: int
    planned_end: datetime | None
    end: datetime
    deadline: datetime | None
    """The project's end, as the scenario imagines it."""
    misses_deadline: bool


class Scenario(Model):
    """A what-if run against the current plan; `status` is pending, ready, applied, dropped or failed
    (the moves are listed while it is ready)."""

    job_id: int
    status: str
    what_if: WhatIf
    tasks_moved: int
    tasks_missing_project_end: list[int] = []
    moves: list[TaskMove] = []
    projects: list[ProjectOutcome] = []

    def move_of(self, task_id: int) -> TaskMove | None:
        """The task's move, or None if the scenario leaves it as planned."""
        return next((move for move in self.moves if move.task_id == task_id), None)
