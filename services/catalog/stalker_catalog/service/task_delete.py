"""Deleting a node: its descendants go with it (the database cascades, as the reference does), the
dependency rows pointing at any of them go too, and whoever depended on them is re-evaluated
(WFD becomes RTS when nothing open is left). Every deleted node gets its own catalog.task.deleted."""

from __future__ import annotations

from stalker_catalog.db.task_queries import load_tasks
from stalker_catalog.db.task_snapshot import load_snapshot, lock_projects, projects_of_tasks, shots_in
from stalker_catalog.db.task_write import delete_task_row, update_tasks
from stalker_catalog.db.tracking_queries import tracking_of
from stalker_catalog.domain.errors import NotFound
from stalker_catalog.domain.task_graph import build_children, descendants
from stalker_catalog.domain.tasks.rules import settle_statuses
from stalker_catalog.service.task_events import status_changed
from stalker_shared.access import Operation
from stalker_shared.contracts.catalog import TaskDeleted, TaskUpdated
from stalker_shared.unit_of_work import UnitOfWork


async def delete_task(uow: UnitOfWork, task_id: int, kind: str | None = None) -> list[int]:
    """Delete the node and its descendants; returns the deleted ids (the node first)."""
    session = uow.session
    project = (await projects_of_tasks(session, [task_id])).get(task_id)
    if project is None:
        raise NotFound(f"no {kind or 'task'} with id {task_id}")
    uow.access.require(Operation.TASK_WRITE, project, f"{kind or 'task'} with id {task_id}")
    await lock_projects(session, [project])
    snapshot = await load_snapshot(session, [project])
    nodes = snapshot.nodes
    if kind not in (None, nodes[task_id].kind):
        raise NotFound(f"no {kind} with id {task_id}")
    parents = {t: n.parent_id for t, n in nodes.items()}
    doomed = [task_id, *descendants(task_id, build_children(parents))]
    gone = set(doomed)
    sequences = [t for t in doomed if nodes[t].kind == "sequence"]
    regrouped = await shots_in(session, sequences) - gone  # shots that lose a sequence
    dependents = {t for t, on in snapshot.deps.items() if t not in gone and not gone.isdisjoint(on)}
    statuses = {t: n.status for t, n in nodes.items() if t not in gone}
    remaining = {t: p for t, p in parents.items() if t not in gone}
    deps = {t: [d for d in on if d not in gone] for t, on in snapshot.deps.items() if t not in gone}
    parent = parents[task_id]
    changed = settle_statuses(
        statuses, remaining, deps, dependents | ({parent} if parent is not None else set())
    )
    going_with = await tracking_of(session, doomed)  # time logs and reviews cascade with their tasks
    await delete_task_row(session, task_id)
    touched = changed | dependents | regrouped
    await update_tasks(session, {t: ({"status": statuses[t]} if t in changed else {}) for t in touched})
    await uow.publish_many(going_with)
    await uow.publish_many([TaskDeleted(id=t, revision=nodes[t].revision + 1) for t in reversed(doomed)])
    survivors = await load_tasks(session, sorted(touched))
    await uow.publish_many([TaskUpdated.model_validate(t) for t in survivors])
    await uow.publish_many(
        [
            status_changed(t, nodes[t.id].status, "task_deleted")
            for t in survivors
            if nodes[t.id].status != t.status
        ]
    )
    return doomed
