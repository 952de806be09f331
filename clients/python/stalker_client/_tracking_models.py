"""What production tracking returns: time logs, reviews, a workflow action's outcome, notes."""

from __future__ import annotations

from datetime import datetime

from stalker_client._catalog_models import Task
from stalker_client._model import Audited, Model


class TimeLog(Audited):
    """Time a resource spent on a leaf task, from `start` to `end` (`seconds` long)."""

    id: int
    task_id: int
    project_id: int
    resource_id: int
    start: datetime
    end: datetime
    seconds: float
    description: str = ""
    created_by_id: int | None = None

    def __str__(self) -> str:
        return f"<{self.seconds / 3600:g} h on task {self.task_id} (TimeLog)>"


class Review(Audited):
    """One responsible's review of a task in a round (`review_number`): status NEW (waiting), APP
    (approved) or RREV (revision requested)."""

    id: int
    task_id: int
    project_id: int
    reviewer_id: int
    review_number: int
    status: str
    version_id: int | None = None
    schedule_timing: float = 0.0
    schedule_unit: str = "h"
    description: str = ""
    decided_at: datetime | None = None

    @property
    def is_waiting(self) -> bool:
        return self.status == "NEW"

    def __str__(self) -> str:
        return f"<review {self.id} of task {self.task_id}: {self.status} (Review)>"


class StatusChange(Model):
    task_id: int
    from_status: str
    to_status: str


class ActionResult(Model):
    """A workflow action's outcome: the task as it is now, the reviews the action made or decided, and
    every status it moved (the task's, its parents', its dependents')."""

    task: Task
    reviews: list[Review] = []
    status_changes: list[StatusChange] = []


class Note(Audited):
    """A note on a project, task, version or review (a review's note is its comment); `task_id` is the
    task it is about, also for a version's or a review's."""

    id: int
    project_id: int
    task_id: int | None = None
    version_id: int | None = None
    review_id: int | None = None
    author_id: int | None = None
    text: str

    def __str__(self) -> str:
        return f"<note {self.id} (Note)>"
