"""Running a workflow action on a project: lock it, load its task graph, act in memory, write what changed
and publish it (each changed task's state, and a status change event per status that moved)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stalker_catalog.db.studio_queries import studio_calendar
from stalker_catalog.db.task_queries import expire_tasks, load_tasks
from stalker_catalog.db.tracking_queries import load_graph, lock_project, write_graph
from stalker_catalog.domain.progress import leaf_logged_seconds
from stalker_catalog.domain.workflow import StatusChange, Workflow
from stalker_shared.contracts.catalog import TaskUpdated
from stalker_shared.contracts.tracking import TaskStatusChanged
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Outcome:
    workflow: Workflow
    status_changes: list[StatusChange]


async def open_workflow(uow: UnitOfWork, project_id: int, task_id: int) -> Workflow:
    """The graph an action on the task can reach; its project locked against other actions and task
    writes until the request commits."""
    session = uow.session
    await lock_project(session, project_id)
    nodes, timings = await load_graph(session, task_id)
    calendar = await studio_calendar(session)
    now = utcnow()
    for task_id, node in nodes.items():
        if node.is_leaf and task_id in timings:
            node.logged_seconds = leaf_logged_seconds(timings[task_id], calendar, now)
    return Workflow(nodes, calendar)


async def save_workflow(uow: UnitOfWork, workflow: Workflow, project_id: int, action: str) -> Outcome:
    session = uow.session
    changed = workflow.changed()
    await write_graph(session, changed, workflow.retargeted)
    ids = sorted({node.id for node in changed} | {task_id for task_id, _ in workflow.retargeted})
    expire_tasks(session)  # the rows were written around the ORM: read them back as they are now
    tasks = await load_tasks(session, ids)
    changes = workflow.status_changes()
    moved = [
        TaskStatusChanged(
            task_id=change.task_id,
            project_id=project_id,
            from_status=change.before.value,
            to_status=change.after.value,
            action=action,
        )
        for change in changes
    ]
    await uow.publish_many([*(TaskUpdated.model_validate(task) for task in tasks), *moved])
    return Outcome(workflow, changes)


async def run_action(
    uow: UnitOfWork, project_id: int, task_id: int, action: str, act: Callable[[Workflow], None]
) -> Outcome:
    workflow = await open_workflow(uow, project_id, task_id)
    act(workflow)
    return await save_workflow(uow, workflow, project_id, action)
