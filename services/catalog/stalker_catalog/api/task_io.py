"""Translation between the task schemas and the service's commands and models (no decisions here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from stalker_catalog.api.schemas.tasks import BulkCreateItem
from stalker_catalog.db.models import Task
from stalker_catalog.db.task_snapshot import lock_projects, projects_of_tasks
from stalker_catalog.domain.tasks.commands import DependencySpec, NewTask, TaskChange
from stalker_shared.errors import NotFound
from stalker_shared.etags import stored_revision
from stalker_shared.unit_of_work import UnitOfWork

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


async def locked_task(uow: UnitOfWork, task_id: int, kind: str | None = None) -> Any:
    """What the task's ETag is made of, read under the lock every task write takes first: its
    project's (service/tasks.py, task_delete.py), so an If-Match check and the write see one state."""
    project = (await projects_of_tasks(uow.session, [task_id])).get(task_id)
    if project is None:
        raise NotFound(f"no {kind or 'task'} with id {task_id}")
    await lock_projects(uow.session, [project])
    return await stored_revision(uow.session, Task, task_id, *([Task.kind == kind] if kind else []))
