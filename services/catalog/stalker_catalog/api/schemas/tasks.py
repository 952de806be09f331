"""The task tree: tasks, assets, shots, sequences and scenes, their relations, and bulk writes.

Units, models, constraints, strategies and targets are plain strings here: the service parses them
case-insensitively (``"h"``, ``"Hour"``) and answers 422 naming the field when one is unknown.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_shared.types import (
    LINE,
    MAX_IDS,
    Id,
    Ids,
    Instant,
    Int32,
    Name,
    Positive,
    SingleLine,
    Text,
    Timing,
    Word,
)

MAX_BULK = 20_000
Kind = Literal["task", "asset", "shot", "sequence", "scene"]
REF_MAX = 200
Ref = Annotated[str, Field(min_length=1, max_length=REF_MAX, json_schema_extra=LINE), SingleLine]


class DependencyIn(Input):
    depends_on_id: Id
    target: Word = Field("onend", description="onend (default) or onstart")
    gap_timing: Timing = 0.0
    gap_unit: Word = "h"
    gap_model: Word = Field("length", description="length (default) or duration")


Depends = Annotated[list[Id | DependencyIn], Field(max_length=MAX_IDS)]


class DependencyRead(Output):
    depends_on_id: int
    target: str
    gap_timing: float
    gap_unit: str
    gap_model: str


class _TaskFields(Input):
    """Fields every kind accepts on create and update."""

    description: Text | None = None
    priority: Int32 | None = Field(None, description="Clamped to 0..1000; null means 500")
    schedule_timing: Timing | None = None
    schedule_unit: Word | None = Field(None, description="min, h, d, w, m or y")
    schedule_model: Word | None = Field(None, description="effort, duration or length")
    schedule_constraint: Word | Int32 | None = Field(None, description="none, start, end, both (or 0..3)")
    start: Instant | None = Field(None, description="Constraint start; a time zone is required")
    end: Instant | None = Field(None, description="Constraint end; a time zone is required")
    is_milestone: bool | None = Field(None, description="A milestone has no resources")
    bid_timing: Timing | None = Field(None, description="Defaults to schedule_timing")
    bid_unit: Word | None = Field(None, description="Defaults to schedule_unit")
    allocation_strategy: Word | None = None
    persistent_allocation: bool | None = None
    resource_ids: Ids | None = None
    alternative_resource_ids: Ids | None = None
    depends: Depends | None = Field(None, description="Task ids or dependency objects")


class _Placement(Input):
    parent_id: Id | None = None
    project_id: Id | None = Field(None, description="Taken from the parent when there is one")


class _ShotFields(Input):
    sequence_ids: Ids | None = None
    cut_in: Int32 | None = None
    cut_out: Int32 | None = None
    image_format_id: Id | None = None
    fps: Positive | None = None


class TaskCreate(_TaskFields, _Placement):
    name: Name


class SequenceCreate(TaskCreate):
    code: Name


class SceneCreate(SequenceCreate):
    pass


class AssetCreate(TaskCreate):
    code: Name
    type_id: Id


class ShotCreate(_TaskFields, _Placement, _ShotFields):
    code: Name
    name: Name | None = Field(None, description="Defaults to the code")


class AnyTaskCreate(_TaskFields, _Placement, _ShotFields):
    """A node of any kind (POST /v1/tasks): kind-specific fields are checked against the kind."""

    kind: Kind = "task"
    name: Name | None = None
    code: Name | None = None
    type_id: Id | None = None


class TaskUpdate(_TaskFields, _Placement):
    name: Name | None = None


class SequenceUpdate(TaskUpdate):
    code: Name | None = None


class SceneUpdate(SequenceUpdate):
    pass


class AssetUpdate(SequenceUpdate):
    type_id: Id | None = None


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
    schedule_seconds: float = Field(
        description="The timing in seconds of the studio's calendar (a container: its leaves' summed)"
    )
    total_logged_seconds: float = Field(
        description="Effort: the time logged; duration and length: the time elapsed in its span"
    )
    remaining_seconds: float = Field(description="schedule_seconds - total_logged_seconds")
    percent_complete: float = Field(description="total_logged / schedule x 100, not capped")
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
    responsible_ids: list[int] = Field([], description="Who reviews its work (none: its nearest ancestor's)")
    watcher_ids: list[int] = []
    cut_in: int | None = None
    cut_out: int | None = None
    cut_duration: int | None = None
    image_format_id: int | None = Field(None, description="Shots: the project's unless set")
    fps: float | None = Field(None, description="Shots: the project's unless set")


# Relations


class DependencySet(Input):
    depends: Depends


class UserIds(Input):
    user_ids: Ids


class SequenceIds(Input):
    sequence_ids: Ids


# Bulk writes


class BulkDependencyIn(Input):
    """A dependency on an existing task (depends_on_id) or on an item of the same request (depends_on_ref)."""

    depends_on_id: Id | None = None
    depends_on_ref: Ref | None = None
    target: Word = "onend"
    gap_timing: Timing = 0.0
    gap_unit: Word = "h"
    gap_model: Word = "length"


class BulkCreateItem(AnyTaskCreate):
    ref: Ref | None = Field(None, description="A name other items of the request use")
    parent_ref: Ref | None = Field(None, description="The ref of the parent item")
    depends_on_refs: list[Ref] = Field(
        default_factory=list, max_length=MAX_IDS, description="Refs of items it depends on (onend)"
    )
    sequence_refs: list[Ref] = Field(
        default_factory=list, max_length=MAX_IDS, description="Shots: refs of sequence items it is in"
    )
    depends: Annotated[list[Id | BulkDependencyIn], Field(max_length=MAX_IDS)] | None = None  # type: ignore[assignment]


class BulkCreate(Input):
    items: list[BulkCreateItem] = Field(min_length=1, max_length=MAX_BULK)


class BulkUpdateItem(AnyTaskUpdate):
    id: Id


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
