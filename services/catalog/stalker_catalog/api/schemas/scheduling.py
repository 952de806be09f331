"""Schedule requests and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from stalker_catalog.api.schemas.common import Input, Output
from stalker_catalog.domain.scheduling import TimeUnit
from stalker_shared.contracts.scheduling import ProblemKind
from stalker_shared.types import Id, Ids, Instant, Timing

MAX_CHANGES = 1000


class ScheduleProblemRead(Output):
    """One thing tj3 could not do (or warned about), for one task and resource."""

    severity: Literal["error", "warning"]
    kind: ProblemKind = Field("other", description="What went wrong, for programs")
    explanation: str | None = Field(None, description="What went wrong and what to change, in words")
    task_id: int | None = None
    task_name: str | None = None
    resource_id: int | None = None
    resource_name: str | None = None
    message: str = Field(description="tj3's own text")
    line: int | None = Field(None, description="The line of the .tjp tj3 pointed at")


class ScheduleJobRead(Output):
    id: int
    studio_id: int
    status: str = Field(description="queued, running, completed or failed")
    project_ids: list[int] | None
    compute_resources: bool
    requested_by_id: int | None
    requested_at: datetime
    requests_merged: int = Field(description="Requests coalesced into this job")
    started_at: datetime | None
    finished_at: datetime | None
    message: str | None
    problems: list[ScheduleProblemRead] | None = Field(
        description="Why a failed run failed, and a completed run's warnings; null when none"
    )
    timings: dict[str, float] | None
    tasks_scheduled: int | None
    parts: int = Field(description="Independent groups of projects the run was split into (0 while queued)")
    parts_done: int = Field(description="Parts whose dates are applied")
    what_if: dict[str, Any] | None = Field(None, description="A what-if run's imagined changes")
    scenario_status: str | None = Field(None, description="A what-if run's scenario: ready, applied, dropped")


class LeaveChange(Input):
    user_id: Id | None = Field(None, description="null: the whole studio")
    start: Instant
    end: Instant


class TaskUser(Input):
    task_id: Id
    user_id: Id


class ProjectEnd(Input):
    project_id: Id
    end: Instant


class TimingChange(Input):
    task_id: Id
    schedule_timing: Timing
    schedule_unit: TimeUnit | None = Field(None, description="Kept when omitted")


class PriorityChange(Input):
    task_id: Id
    priority: int = Field(ge=0, le=1000)


class WhatIfBody(Input):
    """Imagined changes: the run computes a scenario with them and applies nothing."""

    vacations_added: list[LeaveChange] = Field(default_factory=list, max_length=MAX_CHANGES)
    vacations_cancelled: list[Id] = Field(
        default_factory=list, max_length=MAX_CHANGES, description="Vacation ids"
    )
    resources_added: list[TaskUser] = Field(default_factory=list, max_length=MAX_CHANGES)
    resources_removed: list[TaskUser] = Field(default_factory=list, max_length=MAX_CHANGES)
    project_ends: list[ProjectEnd] = Field(
        default_factory=list, max_length=MAX_CHANGES, description="A new end (deadline) for a project"
    )
    timings: list[TimingChange] = Field(default_factory=list, max_length=MAX_CHANGES)
    priorities: list[PriorityChange] = Field(default_factory=list, max_length=MAX_CHANGES)


class ScheduleRequestBody(Input):
    project_ids: Ids | None = Field(None, description="Projects to schedule; all of them when omitted")
    compute_resources: bool = Field(False, description="Also compute which resource does each task")
    what_if: WhatIfBody | None = Field(
        None,
        description="Compute a scenario with these changes instead of applying a run: the job keeps it, "
        "`GET /schedule-jobs/{id}/scenario` compares it with the plan, `.../apply` makes it the plan",
    )


class TaskMove(Output):
    task_id: int
    name: str
    project_id: int
    planned_start: datetime | None = Field(description="The current plan's")
    planned_end: datetime | None
    start: datetime = Field(description="The scenario's")
    end: datetime
    start_shift_hours: float | None = Field(description="Scenario minus plan, calendar hours")
    end_shift_hours: float | None
    resources_before: list[int]
    resources_after: list[int]
    misses_project_end: bool = Field(description="The scenario ends it after its project's end")


class ProjectOutcome(Output):
    project_id: int
    planned_end: datetime | None
    end: datetime
    deadline: datetime | None = Field(description="The project's end, as the scenario imagines it")
    misses_deadline: bool


class ScenarioRead(Output):
    job_id: int
    status: str = Field(description="ready, applied or dropped; pending while the run is not done")
    what_if: dict[str, Any]
    tasks_moved: int
    tasks_missing_project_end: list[int] = Field(
        description="Tasks the scenario ends after their project's end"
    )
    moves: list[TaskMove] = Field(description="Every task whose dates or resources differ from the plan")
    projects: list[ProjectOutcome]
