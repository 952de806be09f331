"""Translation between the task schemas and the service's commands and models (no decisions here)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.api.schemas.tasks import BulkCreateItem, DependencyRead, TaskRead
from stalker_catalog.db.models import Task
from stalker_catalog.domain.calendar import StudioCalendar, to_seconds
from stalker_catalog.domain.scheduling import ScheduleModel, TimeUnit
from stalker_catalog.service.task_commands import DependencySpec, NewTask, TaskChange
from stalker_catalog.service.task_queries import (
    ReadContext,
    TaskLinks,
    links_of,
    read_context,
    read_links,
)
from stalker_shared.listing import ListSpec

TASK_LIST = ListSpec(
    {
        "id": Task.id,
        "project_id": Task.project_id,
        "parent_id": Task.parent_id,
        "kind": Task.kind,
        "name": Task.name,
        "code": Task.code,
        "status": Task.status,
        "type_id": Task.type_id,
        "priority": Task.priority,
        "is_milestone": Task.is_milestone,
    }
)
_COPIED = (
    "id",
    "kind",
    "project_id",
    "parent_id",
    "name",
    "description",
    "code",
    "type_id",
    "status",
    "priority",
    "schedule_timing",
    "schedule_unit",
    "schedule_model",
    "schedule_constraint",
    "start",
    "end",
    "is_milestone",
    "bid_timing",
    "bid_unit",
    "allocation_strategy",
    "persistent_allocation",
    "computed_start",
    "computed_end",
    "revision",
    "created_at",
    "updated_at",
)
_REFS = ("ref", "parent_ref", "depends_on_refs", "sequence_refs")


def dependency_spec(raw: Any) -> DependencySpec:
    """A dependency from an id or a dumped dependency object."""
    return DependencySpec(**raw) if isinstance(raw, dict) else DependencySpec(depends_on_id=raw)


def _fields(body: BaseModel, exclude: Sequence[str] = ()) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True, exclude=set(exclude))
    if fields.get("depends") is not None:
        fields["depends"] = [dependency_spec(d) for d in fields["depends"]]
    return fields


def new_task(body: BaseModel, kind: str | None = None) -> NewTask:
    fields = _fields(body)
    if kind is not None:
        fields["kind"] = kind
    return NewTask(fields)


def bulk_new_task(item: BulkCreateItem) -> NewTask:
    fields = _fields(item, exclude=_REFS)
    if item.depends_on_refs:
        by_ref = [DependencySpec(depends_on_ref=ref) for ref in item.depends_on_refs]
        fields["depends"] = [*fields.get("depends", []), *by_ref]
    return NewTask(fields, item.ref, item.parent_ref, tuple(item.sequence_refs))


def task_change(task_id: int, body: BaseModel, kind: str | None = None) -> TaskChange:
    return TaskChange(task_id, _fields(body, exclude=("id",)), kind)


def dependency_read(spec: Any) -> DependencyRead:
    return DependencyRead.model_validate(spec, from_attributes=True)


@lru_cache(maxsize=64)
def _seconds_per(unit: str, model: str, calendar: StudioCalendar) -> float:
    return to_seconds(1.0, TimeUnit(unit), ScheduleModel(model), calendar)


_SHOT_FIELDS = ("cut_in", "cut_out", "image_format_id", "fps")
_ROW_FIELDS = (*_COPIED, *_SHOT_FIELDS)
# The columns a task's response is made of, for lists read as rows rather than ORM objects.
TASK_ROW = tuple(getattr(Task, name) for name in _ROW_FIELDS)
# A response's keys: the copied columns, then the derived values, in the order lists have always sent.
_KEYS = (
    *_COPIED,
    "schedule_seconds",
    "resource_ids",
    "alternative_resource_ids",
    "computed_resource_ids",
    "depends",
    "is_leaf",
    "is_container",
    "sequence_ids",
    "cut_in",
    "cut_out",
    "cut_duration",
    "image_format_id",
    "fps",
)
_COPIED_COUNT = len(_COPIED)
_ID, _KIND, _PROJECT_ID, _TIMING, _UNIT, _MODEL = (
    _ROW_FIELDS.index(name)
    for name in ("id", "kind", "project_id", "schedule_timing", "schedule_unit", "schedule_model")
)
_NONE: tuple[()] = ()  # shared, hence immutable
_NOT_A_SHOT = (None,) * 5


def task_values(
    rows: Sequence[Sequence[Any]], links: TaskLinks, context: ReadContext
) -> list[dict[str, Any]]:
    """Tasks' responses as plain values (TaskRead's fields) from rows of `_ROW_FIELDS` values and the
    relations and context read for them. One tuple and one dict per task: a list of 10,000 tasks spent a
    fifth of its server time here when each response was a dict changed field by field (py-spy)."""
    seconds_per: dict[tuple[str, str], float] = {}  # by (unit, model), for this calendar
    resources, alternatives = links.resource_ids, links.alternative_resource_ids
    computed, depends, sequences = links.computed_resource_ids, links.depends, links.sequence_ids
    containers = context.containers
    values = []
    for row in rows:
        task_id = row[_ID]
        is_container = task_id in containers
        unit_model = (row[_UNIT], row[_MODEL])
        per = seconds_per.get(unit_model)
        if per is None:
            per = seconds_per[unit_model] = _seconds_per(*unit_model, context.calendar)
        shot = _shot_values(row, context) if row[_KIND] == "shot" else _NOT_A_SHOT
        derived = (
            row[_TIMING] * per,
            resources.get(task_id, _NONE),
            alternatives.get(task_id, _NONE),
            computed.get(task_id, _NONE),
            depends.get(task_id, _NONE),
            not is_container,
            is_container,
            sequences.get(task_id, _NONE),
        )
        values.append(dict(zip(_KEYS, (*row[:_COPIED_COUNT], *derived, *shot), strict=True)))
    return values


def _shot_values(row: Sequence[Any], context: ReadContext) -> tuple[Any, ...]:
    """cut_in, cut_out, cut_duration, image_format_id and fps of a shot: the project's format and fps
    unless the shot has its own."""
    cut_in, cut_out, image_format_id, fps = row[_COPIED_COUNT:]
    project_format, project_fps = context.project_defaults.get(row[_PROJECT_ID], (None, 25.0))
    return (
        cut_in,
        cut_out,
        (cut_out or 0) - (cut_in or 0) + 1,
        image_format_id if image_format_id is not None else project_format,
        fps if fps is not None else project_fps,
    )


async def task_reads(session: AsyncSession, tasks: Sequence[Task]) -> list[TaskRead]:
    """Responses for tasks loaded with TASK_LOAD (three more statements, whatever their number)."""
    shot_projects = (task.project_id for task in tasks if task.kind == "shot")
    context = await read_context(session, [task.id for task in tasks], shot_projects)
    links = links_of(tasks)
    rows = [tuple(getattr(task, name) for name in _ROW_FIELDS) for task in tasks]
    return [TaskRead.model_validate(values) for values in task_values(rows, links, context)]


async def task_rows_values(session: AsyncSession, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Responses for rows of TASK_ROW, as plain values: a list page is serialized without building a
    model per task (the values are the same as task_read's; a test compares them)."""
    ids = [row[_ID] for row in rows]  # by position: a Row's attributes cost more
    shot_projects = (row[_PROJECT_ID] for row in rows if row[_KIND] == "shot")
    context = await read_context(session, ids, shot_projects)
    return task_values(rows, await read_links(session, ids), context)
