"""The task tree: tasks, assets, shots, sequences and scenes, their relations, and bulk writes.

Units, models, constraints, strategies and targets are plain strings here: the service parses them
case-insensitively (``"h"``, ``"Hour"``) and answers 422 naming the field when one is unknown.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from stalker_catalog.api.schemas.common import Audit, Input, Output

MAX_BULK = 20_000
Kind = Literal["task", "asset", "shot", "sequence", "scene"]
Name = Field(min_length=1, max_length=256)
Code = Field(min_length=1, max_length=256)


class DependencyIn(Input):
    depends_on_id: int
    target: str = Field("onend", description="onend (default) or onstart")
    gap_timing: float = Field(0.0, ge=0)
    gap_unit: str = "h"
    gap_model: str = Field("length", description="length (default) or duration")


class DependencyRead(Output):
    depends_on_id: int
    target: str
    gap_timing: float
    gap_unit: str
    gap_model: str


class _TaskFields(Input):
    """Fields every kind accepts on create and update."""

    description: str | None = None
    priority: int | None = Field(None, description="Clamped to 0..1000; null means 500")
    schedule_timing: float | None = Field(None, ge=0)
    schedule_unit: str | None = Field(None, description="min, h, d, w, m or y")
    schedule_model: str | None = Field(None, description="effort, duration or length")
    schedule_constraint: str | int | None = Field(None, description="none, start, end, both (or 0..3)")
    start: AwareDatetime | None = Field(None, description="Constraint start; a time zone is required")
    end: AwareDatetime | None = Field(None, description="Constraint end; a time zone is required")
    is_milestone: bool | None = Field(None, description="A milestone has no resources")
    bid_timing: float | None = Field(None, ge=0, description="Defaults to schedule_timing")
    bid_unit: str | None = Field(None, description="Defaults to schedule_unit")
    allocation_strategy: str | None = None
    persistent_allocation: bool | None = None
    resource_ids: list[int] | None = None
    alternative_resource_ids: list[int] | None = None
    depends: list[int | DependencyIn] | None = Field(None, description="Task ids or dependency objects")


class _Placement(Input):
    parent_id: int | None = None
    project_id: int | None = Field(None, description="Taken from the parent when there is one")


class _ShotFields(Input):
    sequence_ids: list[int] | None = None
    cut_in: int | None = None
    cut_out: int | None = None
    image_format_id: int | None = None
    fps: float | None = Field(None, gt=0)


class TaskCreate(_TaskFields, _Placement):
    name: str = Name


class SequenceCreate(TaskCreate):
    code: str = Code


class SceneCreate(SequenceCreate):
    pass


class AssetCreate(TaskCreate):
    code: str = Code
    type_id: int


class ShotCreate(_TaskFields, _Placement, _ShotFields):
    code: str = Code
    name: str | None = Field(None, min_length=1, max_length=256, description="Defaults to the code")


class AnyTaskCreate(_TaskFields, _Placement, _ShotFields):
    """A node of any kind (POST /v1/tasks): kind-specific fields are checked against the kind."""

    kind: Kind = "task"
    name: str | None = Field(None, min_length=1, max_length=256)
    code: str | None = Field(None, min_length=1, max_length=256)
    type_id: int | None = None


class TaskUpdate(_TaskFields, _Placement):
    name: str | None = Field(None, min_length=1, max_length=256)


class SequenceUpdate(TaskUpdate):
    code: str | None = Field(None, min_length=1, max_length=256)


class SceneUpdate(SequenceUpdate):
    pass


class AssetUpdate(SequenceUpdate):
    type_id: int | None = None


class ShotUpdate(SequenceUpdate, _ShotFields):
    pass


class AnyTaskUpdate(AssetUpdate, _ShotFields):
    """Changes to a node of any kind (PATCH /v1/tasks/{id})."""


class TaskRead(Audit):
    id: int
    kind: str
    project_id: int
    parent_id: int | None
    name: str
    description: str
    code: str | None
    type_id: int | None
    status: str = Field(description="Set by the workflow; read-only")
    priority: int
    schedule_timing: float
    schedule_unit: str
    schedule_model: str
    schedule_constraint: str
    schedule_seconds: float = Field(description="The timing in seconds of the studio's calendar")
    start: AwareDatetime | None
    end: AwareDatetime | None
    is_milestone: bool
    bid_timing: float | None
    bid_unit: str | None
    allocation_strategy: str
    persistent_allocation: bool
    computed_start: AwareDatetime | None
    computed_end: AwareDatetime | None
    resource_ids: list[int]
    alternative_resource_ids: list[int]
    computed_resource_ids: list[int]
    depends: list[DependencyRead]
    is_leaf: bool
    is_container: bool
    sequence_ids: list[int] = Field(description="Shots only: the sequences the shot is in")
    cut_in: int | None = None
    cut_out: int | None = None
    cut_duration: int | None = None
    image_format_id: int | None = Field(None, description="Shots: the project's unless set")
    fps: float | None = Field(None, description="Shots: the project's unless set")


# Relations


class DependencySet(Input):
    depends: list[int | DependencyIn]


class UserIds(Input):
    user_ids: list[int]


class SequenceIds(Input):
    sequence_ids: list[int]


# Bulk writes


class BulkDependencyIn(Input):
    """A dependency on an existing task (depends_on_id) or on an item of the same request (depends_on_ref)."""

    depends_on_id: int | None = None
    depends_on_ref: str | None = None
    target: str = "onend"
    gap_timing: float = Field(0.0, ge=0)
    gap_unit: str = "h"
    gap_model: str = "length"


class BulkCreateItem(AnyTaskCreate):
    ref: str | None = Field(None, max_length=200, description="A name other items of the request use")
    parent_ref: str | None = Field(None, max_length=200, description="The ref of the parent item")
    depends_on_refs: list[str] = Field(
        default_factory=list, description="Refs of items it depends on (onend)"
    )
    sequence_refs: list[str] = Field(
        default_factory=list, description="Shots: refs of sequence items it is in"
    )
    depends: list[int | BulkDependencyIn] | None = None  # type: ignore[assignment]


class BulkCreate(Input):
    items: list[BulkCreateItem] = Field(min_length=1, max_length=MAX_BULK)


class BulkUpdateItem(AnyTaskUpdate):
    id: int


class BulkUpdate(Input):
    items: list[BulkUpdateItem] = Field(min_length=1, max_length=MAX_BULK)


class BulkItemResult(Output):
    index: int
    ref: str | None = None
    id: int
    revision: int
    status: str


class BulkResult(Output):
    count: int
    items: list[BulkItemResult]
