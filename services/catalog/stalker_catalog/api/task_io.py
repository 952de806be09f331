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
from stalker_catalog.service.task_queries import ReadContext, read_context

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


def _dependency(spec: Any) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in DependencyRead.model_fields}


@lru_cache(maxsize=64)
def _seconds_per(unit: str, model: str, calendar: StudioCalendar) -> float:
    return to_seconds(1.0, TimeUnit(unit), ScheduleModel(model), calendar)


def task_read(task: Task, context: ReadContext) -> TaskRead:
    is_container = task.id in context.containers
    values: dict[str, Any] = {name: getattr(task, name) for name in _COPIED}
    values.update(
        schedule_seconds=task.schedule_timing
        * _seconds_per(task.schedule_unit, task.schedule_model, context.calendar),
        resource_ids=[u.id for u in task.resources],
        alternative_resource_ids=[u.id for u in task.alternative_resources],
        computed_resource_ids=[u.id for u in task.computed_resources],
        depends=[_dependency(d) for d in task.dependencies],
        is_leaf=not is_container,
        is_container=is_container,
        sequence_ids=[s.id for s in task.sequences],
    )
    if task.kind == "shot":
        image_format_id, fps = context.project_defaults.get(task.project_id, (None, 25.0))
        values.update(
            cut_in=task.cut_in,
            cut_out=task.cut_out,
            cut_duration=(task.cut_out or 0) - (task.cut_in or 0) + 1,
            image_format_id=task.image_format_id if task.image_format_id is not None else image_format_id,
            fps=task.fps if task.fps is not None else fps,
        )
    return TaskRead.model_validate(values)


async def task_reads(session: AsyncSession, tasks: Sequence[Task]) -> list[TaskRead]:
    """Responses for tasks loaded with TASK_LOAD (three more statements, whatever their number)."""
    context = await read_context(session, tasks)
    return [task_read(task, context) for task in tasks]
