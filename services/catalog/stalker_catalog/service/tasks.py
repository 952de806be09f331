"""Handlers of the task tree: one transaction each, events in the outbox.

Every write (one task or twenty thousand) runs the same steps: lock the projects involved, read their
task graphs, plan and check the whole batch in memory (domain/tasks/plan.py), write it with a few
executemany statements (db/task_write.py), and publish the full state of every node it created or
changed (the new ones described from the plan, the changed ones read back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import Task
from stalker_catalog.db.task_queries import load_task, load_tasks
from stalker_catalog.db.task_snapshot import (
    current_relation,
    load_columns,
    load_known,
    load_link_sets,
    load_snapshot,
    lock_projects,
    projects_of_tasks,
)
from stalker_catalog.db.task_write import write_plan
from stalker_catalog.db.tracking_queries import tasks_with_work
from stalker_catalog.domain.errors import Conflict, NotFound
from stalker_catalog.domain.tasks.checks import check_graph, finish
from stalker_catalog.domain.tasks.commands import (
    DependencySpec,
    ErrorLog,
    NewTask,
    TaskChange,
    provisional_id,
)
from stalker_catalog.domain.tasks.draft import Current, Snapshot
from stalker_catalog.domain.tasks.plan import Planner
from stalker_catalog.service.task_events import planned_tasks, status_changed
from stalker_shared.access import Access, Operation
from stalker_shared.contracts.catalog import TaskUpdated
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Created:
    id: int
    status: str


@dataclass(frozen=True)
class Applied:
    created: list[Created]  # in item order
    updated: list[Task]  # every existing task the batch changed, by id, loaded with TASK_LOAD


async def apply_batch(
    uow: UnitOfWork, creates: Sequence[NewTask], changes: Sequence[TaskChange], *, single: bool = False
) -> Applied:
    """Create and change nodes in one transaction; nothing is written unless every item is valid."""
    session, log = uow.session, ErrorLog()
    current, snapshot = await _read_state(session, uow.access, creates, changes)
    known = await load_known(session, *_referenced_ids(creates, changes))
    planner = Planner(snapshot, known, current, log)
    planner.add_new(creates)
    planner.change(changes, first_index=len(creates))
    log.raise_if_any(single)
    check_graph(planner)
    log.raise_if_any(single)
    plan = finish(planner)
    await _refuse_parents_with_work(session, plan)
    ids = await write_plan(session, plan)
    created = [
        Created(ids[provisional], plan.inserts[provisional]["status"])
        for provisional in map(provisional_id, range(len(creates)))
    ]
    applied = Applied(created, await load_tasks(session, sorted(plan.updates)))
    updated = [TaskUpdated.model_validate(task) for task in applied.updated]
    moved = [
        status_changed(task, snapshot.nodes[task.id].status, "task_edit")
        for task in applied.updated
        if task.id in snapshot.nodes and snapshot.nodes[task.id].status != task.status
    ]
    await uow.publish_many([*planned_tasks(plan, ids), *updated, *moved])
    return applied


async def create_task(uow: UnitOfWork, item: NewTask) -> Task:
    created = (await apply_batch(uow, [item], [], single=True)).created[0]
    return await load_task(uow.session, created.id)


async def update_task(uow: UnitOfWork, change: TaskChange) -> Task:
    return (await update_tasks(uow, [change], single=True))[0]


async def update_tasks(uow: UnitOfWork, changes: Sequence[TaskChange], *, single: bool = False) -> list[Task]:
    """Apply the changes; returns every target in the order given (unchanged ones too)."""
    applied = await apply_batch(uow, [], changes, single=single)
    by_id = {task.id: task for task in applied.updated}
    unchanged = [c.task_id for c in changes if c.task_id not in by_id]
    by_id.update({task.id: task for task in await load_tasks(uow.session, unchanged)})
    return [by_id[c.task_id] for c in changes]


def _fields_ids(fields: Mapping[str, Any]) -> set[int]:
    ids = {fields["parent_id"]} if fields.get("parent_id") is not None else set()
    ids.update(fields.get("sequence_ids") or ())
    for dep in fields.get("depends") or ():
        dep_id = dep.depends_on_id if isinstance(dep, DependencySpec) else dep
        if isinstance(dep_id, int):
            ids.add(dep_id)
    return ids


async def _refuse_parents_with_work(session: AsyncSession, plan: Any) -> None:
    """A task with time logs or a review under way stays a leaf: as a parent its logged work would
    leave the figures and the schedule (a container's work is its children's)."""
    parents = {row["parent_id"] for row in plan.inserts.values() if (row["parent_id"] or 0) > 0}
    parents |= {u["parent_id"] for u in plan.updates.values() if u.get("parent_id")}
    busy = await tasks_with_work(session, sorted(parents))
    if busy:
        raise Conflict(
            f"tasks {', '.join(map(str, busy))} have time logs or reviews under way: they cannot take "
            "children (log the work on a leaf)",
            "parent_id",
            task_ids=busy,
        )


async def _read_state(
    session: AsyncSession, access: Access, creates: Sequence[NewTask], changes: Sequence[TaskChange]
) -> tuple[Current, Snapshot]:
    """Check the caller may write tasks in every project the batch touches, lock those projects, then
    read their graphs and the rows the batch changes. Tasks of projects the caller cannot see are not
    found (the session's scope), so they are reported as missing, never changed."""
    referenced: set[int] = set()
    for item in creates:
        referenced |= _fields_ids(item.fields)
    for change in changes:
        referenced |= _fields_ids(change.fields) | {change.task_id}
    task_projects = await projects_of_tasks(session, referenced)
    explicit = {int(i.fields["project_id"]) for i in creates if i.fields.get("project_id") is not None}
    access.require_all(Operation.TASK_WRITE, {*task_projects.values(), *explicit})
    locked = await lock_projects(session, {*task_projects.values(), *explicit})
    snapshot = await load_snapshot(session, locked)
    targets = [c.task_id for c in changes if c.task_id in snapshot.nodes]
    parents = [p for p in referenced if p in snapshot.nodes]  # every node a new child may land under
    resources, alternatives, sequences = await load_link_sets(session, [*targets, *parents])
    columns = await load_columns(session, targets)
    return Current(columns, resources, alternatives, sequences, locked), snapshot


def _referenced_ids(
    creates: Sequence[NewTask], changes: Sequence[TaskChange]
) -> tuple[set[int], set[int], set[int]]:
    types: set[int] = set()
    formats: set[int] = set()
    users: set[int] = set()
    for fields in [*(i.fields for i in creates), *(c.fields for c in changes)]:
        _add(types, fields.get("type_id"))
        _add(formats, fields.get("image_format_id"))
        users.update(fields.get("resource_ids") or ())
        users.update(fields.get("alternative_resource_ids") or ())
    return types, formats, users


def _add(target: set[int], value: Any) -> None:
    if isinstance(value, int):
        target.add(value)


# Relations: read the current list under the project lock, edit it, apply it as a change.

Edit = Callable[[list[Any]], list[Any]]


async def edit_relation(
    uow: UnitOfWork, task_id: int, field: str, edit: Edit, kind: str | None = None
) -> Task:
    """Apply ``edit`` to the task's current ``resource_ids``, ``alternative_resource_ids``,
    ``sequence_ids`` or ``depends`` (a list of DependencySpec), as one change."""
    session = uow.session
    project = (await projects_of_tasks(session, [task_id])).get(task_id)
    if project is None:
        raise NotFound(f"no {kind or 'task'} with id {task_id}")
    uow.access.require(Operation.TASK_WRITE, project, f"{kind or 'task'} with id {task_id}")
    await lock_projects(session, [project])
    current = await current_relation(session, task_id, field)
    return await update_task(uow, TaskChange(task_id, {field: edit(current)}, kind))


def adding_dependency(spec: DependencySpec) -> Edit:
    """Add (or replace the target and gap of) one dependency."""
    return lambda current: [*(d for d in current if d.depends_on_id != spec.depends_on_id), spec]


def removing_dependency(depends_on_id: int, task_id: int) -> Edit:
    def edit(current: list[Any]) -> list[Any]:
        if all(d.depends_on_id != depends_on_id for d in current):
            raise NotFound(f"task {task_id} does not depend on task {depends_on_id}", field="depends_on_id")
        return [d for d in current if d.depends_on_id != depends_on_id]

    return edit


def adding(item_id: int) -> Edit:
    return lambda current: current if item_id in current else [*current, item_id]


def removing(item_id: int, field: str, task_id: int) -> Edit:
    def edit(current: list[Any]) -> list[Any]:
        if item_id not in current:
            raise NotFound(f"{item_id} is not in the {field} of task {task_id}", field=field)
        return [i for i in current if i != item_id]

    return edit
