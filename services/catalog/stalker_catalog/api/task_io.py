"""Translation between the task schemas and the service's commands and models (no decisions here)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.api.listing import ListSpec
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
_NONE: tuple[()] = ()  # shared, hence immutable


def task_values(fields: dict[str, Any], links: TaskLinks, context: ReadContext) -> dict[str, Any]:
    """A task's response as plain values (TaskRead's fields), from its `_ROW_FIELDS` values (changed in
    place) and the relations and context read for it."""
    task_id = fields["id"]
    is_container = task_id in context.containers
    cut_in, cut_out, image_format_id, fps = (fields.pop(name) for name in _SHOT_FIELDS)
    fields.update(
        schedule_seconds=fields["schedule_timing"]
        * _seconds_per(fields["schedule_unit"], fields["schedule_model"], context.calendar),
        resource_ids=links.resource_ids.get(task_id, _NONE),
        alternative_resource_ids=links.alternative_resource_ids.get(task_id, _NONE),
        computed_resource_ids=links.computed_resource_ids.get(task_id, _NONE),
        depends=links.depends.get(task_id, _NONE),
        is_leaf=not is_container,
        is_container=is_container,
        sequence_ids=links.sequence_ids.get(task_id, _NONE),
        cut_in=None,
        cut_out=None,
        cut_duration=None,
        image_format_id=None,
        fps=None,
    )
    if fields["kind"] == "shot":
        project_format, project_fps = context.project_defaults.get(fields["project_id"], (None, 25.0))
        fields.update(
            cut_in=cut_in,
            cut_out=cut_out,
            cut_duration=(cut_out or 0) - (cut_in or 0) + 1,
            image_format_id=image_format_id if image_format_id is not None else project_format,
            fps=fps if fps is not None else project_fps,
        )
    return fields


async def task_reads(session: AsyncSession, tasks: Sequence[Task]) -> list[TaskRead]:
    """Responses for tasks loaded with TASK_LOAD (three more statements, whatever their number)."""
    context = await read_context(session, tasks)
    links = links_of(tasks)
    return [
        TaskRead.model_validate(
            task_values({name: getattr(task, name) for name in _ROW_FIELDS}, links, context)
        )
        for task in tasks
    ]


async def task_rows_values(session: AsyncSession, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Responses for rows of TASK_ROW, as plain values: a list page is serialized without building a
    model per task (the values are the same as task_read's; a test compares them)."""
    context = await read_context(session, rows)
    links = await read_links(session, [row.id for row in rows])
    return [task_values(dict(zip(_ROW_FIELDS, row, strict=True)), links, context) for row in rows]
