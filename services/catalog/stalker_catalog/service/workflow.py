"""Running a workflow action on a project: lock it, load its task graph, act in memory, write what changed
and publish it (each changed task's state, and a status change event per status that moved)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.exc import ObjectDeletedError

from stalker_catalog.db.studio_queries import studio_calendar
from stalker_catalog.db.task_queries import expire_tasks, load_tasks
from stalker_catalog.db.tracking import Review, TimeLog
from stalker_catalog.db.tracking_queries import load_graph, lock_project, write_graph
from stalker_catalog.domain.errors import NotFound
from stalker_catalog.domain.progress import leaf_logged_seconds
from stalker_catalog.domain.workflow import StatusChange, Workflow
from stalker_catalog.service.task_events import status_changed
from stalker_shared.contracts.catalog import TaskUpdated
from stalker_shared.db import utcnow
from stalker_shared.repository import get_one, label
from stalker_shared.unit_of_work import UnitOfWork

T = TypeVar("T", TimeLog, Review)


@dataclass(frozen=True)
class Outcome:
    workflow: Workflow
    status_changes: list[StatusChange]


async def open_workflow(
    uow: UnitOfWork, project_id: int, task_id: int, *, downstream: bool = False
) -> Workflow:
    """The graph an action on the task can reach (with its transitive dependents if `downstream`); its
    project locked against other actions and task writes until the request commits."""
    session = uow.session
    await lock_project(session, project_id)
    nodes, timings = await load_graph(session, task_id, downstream=downstream)
    calendar = await studio_calendar(session)
    now = utcnow()
    for node_id, node in nodes.items():
        if node.is_leaf and node_id in timings:
            node.logged_seconds = leaf_logged_seconds(timings[node_id], calendar, now)
    return Workflow(nodes, calendar)


async def save_workflow(uow: UnitOfWork, workflow: Workflow, action: str) -> Outcome:
    session = uow.session
    changed = workflow.changed()
    await write_graph(session, changed, workflow.retargeted)
    ids = sorted({node.id for node in changed} | {task_id for task_id, _ in workflow.retargeted})
    expire_tasks(session)  # the rows were written around the ORM: read them back as they are now
    tasks = await load_tasks(session, ids, unscoped=True)
    changes = workflow.status_changes()
    by_id = {task.id: task for task in tasks}
    moved = [status_changed(by_id[change.task_id], change.before.value, action) for change in changes]
    await uow.publish_many([*(TaskUpdated.model_validate(task) for task in tasks), *moved])
    return Outcome(workflow, changes)


async def run_action(
    uow: UnitOfWork,
    project_id: int,
    task_id: int,
    action: str,
    act: Callable[[Workflow], None],
    *,
    downstream: bool = False,
) -> Outcome:
    workflow = await open_workflow(uow, project_id, task_id, downstream=downstream)
    act(workflow)
    return await save_workflow(uow, workflow, action)


async def locked_in_project(uow: UnitOfWork, model: type[T], entity_id: int) -> T:
    """A time log or review, locked after its project: every writer takes the project first, then the
    row (a task's delete cascades to its rows the same way), so two writers never deadlock."""
    session = uow.session
    entity = await get_one(session, model, entity_id)
    await lock_project(session, entity.project_id)
    try:
        await session.refresh(entity, with_for_update=True)
    except (ObjectDeletedError, InvalidRequestError):
        raise NotFound(f"no {label(model)} with id {entity_id}") from None
    return entity
