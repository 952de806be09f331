"""Messages between the catalog and the scheduler: a studio snapshot to schedule, and the outcome.

The request is a self-contained snapshot so the scheduler needs no access to the catalog's database.
Tasks travel as a flat list with `parent_id` references: 15,000 tasks stay a cheap, linear payload.

A job may be split into independent parts (groups of projects sharing no user), one request each; every
outcome echoes its request's `part` and `parts`. Both fields were added with defaults (one part), so a
message written before them reads as a whole-studio job, and a whole-studio message is written without
them, byte for byte as before: during a rolling upgrade an older reader (`extra="forbid"`) still takes
every unsplit job. Only split jobs need both services upgraded, hence version 1 still.

Later additions follow the same rule where they can (a person's `working_hours`, a problem's `kind` and
`explanation` are left out when unset); a held task's priority 0, a person's own week and an explained
problem are refused by a reader from before them: the catalog and the scheduler are upgraded together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from stalker_shared.contracts.envelope import Contract

TimeUnit = Literal["min", "h", "d", "w", "m", "y"]
ScheduleModel = Literal["effort", "duration", "length"]
ScheduleConstraint = Literal["none", "start", "end", "both"]
DependencyTarget = Literal["onend", "onstart"]
GapModel = Literal["length", "duration"]
TaskKind = Literal["task", "asset", "shot", "sequence", "scene"]
AllocationStrategy = Literal["minallocated", "maxloaded", "minloaded", "order", "random"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FailureReason = Literal["timeout", "tj3_missing", "tj3_error", "invalid_input"]
# What tj3 could not do, for programs (a Problem's `explanation` says it for people): a task does not fit
# the studio's dates, a resource is wanted by too many tasks at once, a task has nobody to do it, tasks
# depend on each other in a loop, time logs that contradict each other or the plan, a pinned date or a
# dependency that cannot be kept, a plan tj3 cannot read; `other` for anything else.
ProblemKind = Literal[
    "does_not_fit",
    "overbooked",
    "no_resources",
    "dependency_loop",
    "booking_conflict",
    "constraint",
    "invalid_input",
    "other",
]

WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MinuteRange = tuple[int, int]


class _Part(BaseModel):
    """A nested part of a message: immutable and strict like the message itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_interval(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError("end must be after start")


class Vacation(_Part):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Vacation:
        _check_interval(self.start, self.end)
        return self


def _default_working_hours() -> dict[Weekday, tuple[MinuteRange, ...]]:
    return {day: ((540, 1080),) for day in WEEKDAYS[:5]}


def _check_working_hours(
    value: dict[Weekday, tuple[MinuteRange, ...]],
) -> dict[Weekday, tuple[MinuteRange, ...]]:
    for day, ranges in value.items():
        previous_end = 0
        for start, end in ranges:
            if not 0 <= start < end <= 1440 or start < previous_end:
                raise ValueError(f"{day}: ranges must be ordered, disjoint and within 0-1440")
            previous_end = end
    return value


class StudioSnapshot(_Part):
    """The studio's calendar; working hours are minutes after local midnight in `timezone`."""

    id: int
    name: str
    timezone: str = Field(default="UTC", description="IANA name, e.g. Europe/Istanbul")
    timing_resolution: Literal[5, 10, 15, 20, 30, 60] = Field(default=60, description="minutes")
    daily_working_hours: int = Field(default=9, ge=1, le=24)
    working_hours: dict[Weekday, tuple[MinuteRange, ...]] = Field(
        default_factory=_default_working_hours, description="A day missing or empty is off"
    )
    now: AwareDatetime
    start: AwareDatetime
    end: AwareDatetime

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("working_hours")
    @classmethod
    def _valid_ranges(
        cls, value: dict[Weekday, tuple[MinuteRange, ...]]
    ) -> dict[Weekday, tuple[MinuteRange, ...]]:
        return _check_working_hours(value)

    @model_validator(mode="after")
    def _ordered(self) -> StudioSnapshot:
        _check_interval(self.start, self.end)
        return self


class ResourceSnapshot(_Part):
    id: int
    name: str
    login: str
    efficiency: float = Field(default=1.0, gt=0)
    vacations: tuple[Vacation, ...] = ()
    working_hours: dict[Weekday, tuple[MinuteRange, ...]] | None = Field(
        default=None, description="Their own week (a day missing or empty is off); None: the studio's"
    )

    @field_validator("working_hours")
    @classmethod
    def _valid_ranges(
        cls, value: dict[Weekday, tuple[MinuteRange, ...]] | None
    ) -> dict[Weekday, tuple[MinuteRange, ...]] | None:
        return None if value is None else _check_working_hours(value)

    @model_serializer(mode="wrap")
    def _studio_week_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Written only when the person has a week of their own, so a reader from before it still reads
        every other resource."""
        data: dict[str, Any] = handler(self)
        if self.working_hours is None:
            data.pop("working_hours", None)
        return data


class ProjectSnapshot(_Part):
    id: int
    code: str
    name: str


class TaskDependency(_Part):
    depends_on_id: int
    target: DependencyTarget = "onend"
    gap_timing: float = Field(default=0.0, ge=0)
    gap_unit: TimeUnit = "h"
    gap_model: GapModel = "length"


class Booking(_Part):
    """Time already logged by a resource on the task (a TimeLog)."""

    resource_id: int
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Booking:
        _check_interval(self.start, self.end)
        return self


class TaskSnapshot(_Part):
    id: int
    project_id: int
    parent_id: int | None = None
    name: str
    kind: TaskKind = "task"
    priority: int = Field(default=500, ge=0, le=1000, description="0 (on hold) to 1000, as tj3 takes it")
    schedule_timing: float = Field(default=1.0, ge=0)
    schedule_unit: TimeUnit = "h"
    schedule_model: ScheduleModel = "effort"
    schedule_constraint: ScheduleConstraint = "none"
    start: AwareDatetime | None = Field(default=None, description="Required by constraint start/both")
    end: AwareDatetime | None = Field(default=None, description="Required by constraint end/both")
    is_milestone: bool = False
    resources: tuple[int, ...] = ()
    alternative_resources: tuple[int, ...] = ()
    allocation_strategy: AllocationStrategy = "minallocated"
    persistent_allocation: bool = True
    dependencies: tuple[TaskDependency, ...] = ()
    bookings: tuple[Booking, ...] = ()

    @model_validator(mode="after")
    def _constraint_dates(self) -> TaskSnapshot:
        if self.schedule_constraint in ("start", "both") and self.start is None:
            raise ValueError(f"constraint {self.schedule_constraint!r} needs a start")
        if self.schedule_constraint in ("end", "both") and self.end is None:
            raise ValueError(f"constraint {self.schedule_constraint!r} needs an end")
        if self.schedule_constraint == "both" and self.start and self.end:
            _check_interval(self.start, self.end)
        return self


class _Partial(Contract):
    """Which part of its job a request (or its outcome) is: `part` counts from 0 to `parts` - 1."""

    part: int = Field(default=0, ge=0, description="This part's index in its job, from 0")
    parts: int = Field(default=1, ge=1, description="How many parts the job was split into")

    @model_serializer(mode="wrap")
    def _whole_job_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.parts == 1:
            data.pop("part", None)
            data.pop("parts", None)
        return data

    @model_validator(mode="after")
    def _part_in_range(self) -> _Partial:
        if self.part >= self.parts:
            raise ValueError(f"part {self.part} is not below parts ({self.parts})")
        return self


class ScheduleRequested(_Partial):
    """The catalog asks for a schedule of the given snapshot; job_id ties the outcome to the request."""

    TYPE = "catalog.schedule.requested"
    VERSION = 1

    job_id: int
    studio: StudioSnapshot
    resources: tuple[ResourceSnapshot, ...] = ()
    vacations: tuple[Vacation, ...] = Field(
        default=(), description="Studio-wide leave and public holidays: nobody works"
    )
    projects: tuple[ProjectSnapshot, ...] = ()
    tasks: tuple[TaskSnapshot, ...] = ()
    compute_resources: bool = False


class TaskResult(_Part):
    id: int
    computed_start: AwareDatetime
    computed_end: AwareDatetime
    resource_ids: tuple[int, ...] = ()


class ProjectResult(_Part):
    id: int
    computed_start: AwareDatetime
    computed_end: AwareDatetime


class Problem(_Part):
    """One error or warning, mapped back from tj3's ids to the catalog's tasks and resources."""

    severity: Literal["error", "warning"]
    line: int | None = None
    message: str
    task_id: int | None = None
    task_name: str | None = None
    resource_id: int | None = None
    resource_name: str | None = None
    # Added with defaults: a message written before them reads as an unexplained `other`.
    kind: ProblemKind = "other"
    explanation: str | None = Field(
        default=None, description="What went wrong and what to change, naming tasks and resources"
    )

    @model_serializer(mode="wrap")
    def _unexplained_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An unexplained problem is written as before these two fields existed."""
        data: dict[str, Any] = handler(self)
        if self.kind == "other":
            data.pop("kind", None)
        if self.explanation is None:
            data.pop("explanation", None)
        return data


class ScheduleCompleted(_Partial):
    TYPE = "scheduler.schedule.completed"
    VERSION = 1

    job_id: int
    tasks: tuple[TaskResult, ...]
    projects: tuple[ProjectResult, ...]
    timings: dict[str, float] = Field(default_factory=dict, description="phase -> seconds")
    warnings: tuple[Problem, ...] = ()


class ScheduleFailed(_Partial):
    TYPE = "scheduler.schedule.failed"
    VERSION = 1

    job_id: int
    reason: FailureReason
    message: str
    problems: tuple[Problem, ...] = ()


SCHEDULING_CONTRACTS: tuple[type[Contract], ...] = (ScheduleRequested, ScheduleCompleted, ScheduleFailed)
