"""What the catalog returns: people, reference data, the studio, projects, the task tree, schedule jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stalker_client._model import Audited, Model
from stalker_client._scenario_models import WhatIf


class Me(Model):
    id: int
    login: str
    is_admin: bool


class User(Audited):
    id: int
    name: str
    login: str
    email: str
    description: str = ""
    efficiency: float = 1.0
    rate: float = 0.0
    department_ids: list[int] = []
    group_ids: list[int] = []
    active: bool = True
    is_admin: bool = False

    def __str__(self) -> str:
        return f"<{self.name} ({self.login!r}) (User)>"


class _Collection(Audited):
    id: int
    name: str
    description: str = ""
    user_ids: list[int] = []

    @property
    def member_ids(self) -> list[int]:
        """The same list as `user_ids` (Department.users is a synonym for Department.members)."""
        return self.user_ids

    def __str__(self) -> str:
        return f"<{self.name} ({type(self).__name__})>"


class Department(_Collection):
    """A department; `user_ids` are its members."""


class Group(_Collection):
    """A group of users; the `admins` group carries admin rights."""


class Role(Audited):
    id: int
    name: str
    description: str = ""


class Status(Audited):
    id: int
    name: str
    code: str
    description: str = ""

    def __str__(self) -> str:
        return f"<{self.name} ({self.code}) (Status)>"


class StatusList(Audited):
    id: int
    name: str
    description: str = ""
    target_entity_type: str
    is_default: bool
    status_ids: list[int]
    status_codes: list[str]


class EntityType(Audited):
    """A Type (of an asset, a ticket...)."""

    id: int
    name: str
    code: str
    description: str = ""
    target_entity_type: str


class ImageFormat(Audited):
    id: int
    name: str
    description: str = ""
    width: int
    height: int
    pixel_aspect: float = 1.0
    print_resolution: float = 300.0
    device_aspect: float


class Studio(Audited):
    id: int
    name: str
    description: str = ""
    working_hours: dict[str, list[list[int]]]
    daily_working_hours: int
    timing_resolution_minutes: int
    time_zone: str
    start: datetime
    end: datetime
    duration: float
    now: datetime | None
    is_scheduling: bool
    last_scheduled_at: datetime | None = None
    last_scheduled_by_id: int | None = None
    last_schedule_message: str | None = None
    weekly_working_hours: float
    weekly_working_days: int
    yearly_working_days: int

    def __str__(self) -> str:
        return f"<{self.name} (Studio)>"


class Seconds(Model):
    seconds: float
    timing: float
    unit: str
    model: str


class Project(Audited):
    id: int
    name: str
    code: str
    description: str = ""
    status_list_id: int
    status: str
    image_format_id: int | None
    fps: float
    start: datetime | None
    end: datetime | None
    computed_start: datetime | None
    computed_end: datetime | None
    user_ids: list[int] = []

    def __str__(self) -> str:
        return f"<{self.name} (Project)>"


class ProjectUser(Model):
    user_id: int
    name: str
    login: str
    role_id: int | None
    role: str | None
    rate: float


class Dependency(Model):
    depends_on_id: int
    target: str = "onend"
    gap_timing: float = 0.0
    gap_unit: str = "h"
    gap_model: str = "length"


class Task(Audited):
    """Any node of the task tree: a task, or an asset, shot, sequence or scene (see `kind`)."""

    id: int
    kind: str
    project_id: int
    parent_id: int | None
    name: str
    description: str = ""
    code: str | None
    type_id: int | None = None
    status: str
    priority: int
    schedule_timing: float
    schedule_unit: str
    schedule_model: str
    schedule_constraint: str
    schedule_seconds: float
    total_logged_seconds: float = 0.0
    """Effort: the time logged; duration and length: the time elapsed in the task's span."""
    remaining_seconds: float = 0.0
    percent_complete: float = 0.0
    """Logged over scheduled, in percent; not capped (work beyond the schedule shows above 100)."""
    start: datetime | None
    end: datetime | None
    is_milestone: bool
    bid_timing: float | None = None
    bid_unit: str | None = None
    allocation_strategy: str
    persistent_allocation: bool
    computed_start: datetime | None
    computed_end: datetime | None
    resource_ids: list[int] = []
    alternative_resource_ids: list[int] = []
    computed_resource_ids: list[int] = []
    depends: list[Dependency] = []
    is_leaf: bool
    is_container: bool
    sequence_ids: list[int] = []
    cut_in: int | None = None
    cut_out: int | None = None
    cut_duration: int | None = None
    image_format_id: int | None = None
    fps: float | None = None

    @property
    def depends_on_ids(self) -> list[int]:
        return [d.depends_on_id for d in self.depends]

    def __str__(self) -> str:
        return f"<{self.name} ({self.kind.capitalize()})>"


class ScheduleProblem(Model):
    """One thing tj3 could not do, or warned about: `kind` for programs (does_not_fit, overbooked,
    no_resources, dependency_loop, booking_conflict, constraint, invalid_input or other), `explanation`
    for people, naming the task and the resource; `message` is tj3's own text."""

    severity: str
    kind: str = "other"
    explanation: str | None = None
    message: str = ""
    task_id: int | None = None
    task_name: str | None = None
    resource_id: int | None = None
    resource_name: str | None = None
    line: int | None = None

    @property
    def summary(self) -> str:
        """The explanation, or tj3's text where there is none (a server or a run from before them)."""
        return self.explanation or self.message

    def __getitem__(self, name: str) -> Any:
        # Problems were plain dictionaries before this model: `problem["task_name"]` keeps working.
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


class ScheduleJob(Model):
    id: int
    studio_id: int
    status: str
    project_ids: list[int] | None = None
    compute_resources: bool = False
    requested_by_id: int | None = None
    requested_at: datetime
    requests_merged: int = 1
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str | None = None
    problems: list[ScheduleProblem] | None = None
    """Why a failed run failed, and a completed run's warnings."""
    timings: dict[str, float] | None = None
    tasks_scheduled: int | None = None
    parts: int = 0
    """Independent groups of projects the run was split into (0 while queued)."""
    parts_done: int = 0
    what_if: WhatIf | None = None
    """A what-if run's imagined changes (None for a normal run)."""
    scenario_status: str | None = None
    """A what-if run's scenario: pending, ready (see `client.jobs.scenario`), applied, dropped or failed."""

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed", "cancelled")


class BulkItem(Model):
    index: int
    ref: str | None = None
    id: int
    revision: int
    status: str


class BulkResult(Model):
    count: int
    items: list[BulkItem]
