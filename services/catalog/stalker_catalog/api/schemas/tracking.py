"""Bodies and responses of production tracking: time logs, reviews and the task actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import Field, ValidationInfo, field_validator

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_catalog.api.schemas.tasks import TaskRead
from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.progress import Progress
from stalker_catalog.domain.time_logs import check_span
from stalker_shared.types import BigId, Id, Instant, Text, Timing

Unit = Literal["min", "h", "d", "w", "m", "y"]
T = TypeVar("T", datetime, datetime | None)


def _check_span(start: datetime | None, end: T) -> T:
    """The body's own span, as a problem on `end`; an edit's is checked again on the log's stored ends
    (service/time_logs.py)."""
    if start is not None and end is not None:
        try:
            check_span(start, end)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from None
    return end


class TimeLogCreate(Input):
    task_id: Id
    resource_id: Id | None = Field(None, description="Whose time; the caller's when left out")
    start: Instant
    end: Instant
    description: Text = ""

    @field_validator("end")
    @classmethod
    def _span(cls, end: datetime, info: ValidationInfo) -> datetime:
        return _check_span(info.data.get("start"), end)


class TimeLogUpdate(Input):
    resource_id: Id | None = None
    start: Instant | None = None
    end: Instant | None = None
    description: Text | None = None

    @field_validator("end")
    @classmethod
    def _span(cls, end: datetime | None, info: ValidationInfo) -> datetime | None:
        return _check_span(info.data.get("start"), end)


class TimeLogRead(Audit):
    id: int
    task_id: int
    project_id: int
    resource_id: int
    start: datetime
    end: datetime
    seconds: float
    description: str
    created_by_id: int | None


class ReviewAsk(Input):
    version_id: BigId | None = Field(None, description="The version of the task to look at, if any")
    description: Text = ""


class Decision(Input):
    description: Text | None = Field(None, description="The reviewer's comment")


class RevisionAsk(Input):
    schedule_timing: Timing = Field(1.0, description="The extra time the revision needs")
    schedule_unit: Unit = "h"
    description: Text = ""


class TaskRevisionAsk(RevisionAsk):
    reviewer_id: Id | None = Field(None, description="Who asks; the caller when left out")


class ReviewRead(Audit):
    id: int
    task_id: int
    project_id: int
    reviewer_id: int
    review_number: int
    status: str = Field(description="NEW, APP (approved) or RREV (revision requested)")
    version_id: int | None
    schedule_timing: float
    schedule_unit: str
    description: str
    decided_at: datetime | None


class StatusChangeRead(Output):
    task_id: int
    from_status: str
    to_status: str


class ActionResult(Output):
    """A workflow action's outcome: the task as it is now, the reviews it made or decided, and every
    status the action moved (the task's, its parents', its dependents')."""

    task: TaskRead
    reviews: list[ReviewRead] = []
    status_changes: list[StatusChangeRead] = []


class ProgressRead(Output):
    schedule_seconds: float
    total_logged_seconds: float
    remaining_seconds: float
    percent_complete: float = Field(description="Not capped: work beyond the schedule shows above 100")

    @classmethod
    def of(cls, progress: Progress) -> ProgressRead:
        return cls(
            schedule_seconds=progress.schedule_seconds,
            total_logged_seconds=progress.total_logged_seconds,
            remaining_seconds=progress.remaining_seconds,
            percent_complete=progress.percent_complete,
        )


class InboxRead(Output):
    reviewer_id: int
    reviews: list[ReviewRead]


class SheetDay(Output):
    date: date
    seconds: float


class TimeSheetRead(Output):
    """A user's week in the studio's time zone, Monday first: the time logged each day (logs across
    midnight split between the days), against the studio's working time of a week."""

    user_id: int
    start: datetime
    end: datetime
    days: list[SheetDay]
    total_seconds: float
    working_seconds: float
    percent_of_working_time: float
    time_logs: list[TimeLogRead]
