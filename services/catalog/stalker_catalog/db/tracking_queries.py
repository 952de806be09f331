"""Reads and writes of production tracking: the task graph the workflow acts on, time log overlaps, the
subtrees progress figures are summed over, and the time logs' running total on their task."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, exists, func, or_, select, true, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from stalker_catalog.db.people import User
from stalker_catalog.db.projects import Project
from stalker_catalog.db.task_snapshot import TASKS, chunks
from stalker_catalog.db.tasks import (
    Task,
    TaskDependency,
    task_alternative_resource,
    task_resource,
    task_responsible,
    task_watcher,
)
from stalker_catalog.db.tracking import Review, TimeLog
from stalker_catalog.domain.errors import NotFound
from stalker_catalog.domain.progress import LeafTiming
from stalker_catalog.domain.status import TaskStatus
from stalker_catalog.domain.workflow import Node
from stalker_shared.access import Access, Operation
from stalker_shared.contracts.tracking import ReviewDeleted, TimeLogDeleted
from stalker_shared.db import utcnow
from stalker_shared.scope import UNSCOPED

DEPENDENCIES = cast(Table, TaskDependency.__table__)
# Below this a task's running total of logged seconds is rounding left by logs added and removed.
LOGGED_EPSILON = 1e-3

# A task's planned dates: tj3's once it is scheduled (the reference's scheduler writes its dates over the
# task's own), else the ones it was given.
PLANNED = (
    func.coalesce(Task.computed_start, Task.start).label("start"),
    func.coalesce(Task.computed_end, Task.end).label("end"),
)

_GRAPH_COLUMNS = (
    Task.id,
    Task.project_id,
    Task.name,
    Task.parent_id,
    Task.status,
    Task.schedule_timing,
    Task.schedule_unit,
    Task.schedule_model,
    Task.priority,
    Task.review_number,
    Task.logged_seconds,
    *PLANNED,
)


async def load_graph(
    session: AsyncSession, task_id: int, *, downstream: bool
) -> tuple[dict[int, Node], dict[int, LeafTiming]]:
    """The part of the task graph an action on the task can reach, as workflow nodes, and their timings:
    the task and everything that depends on it, transitively (a finished review round re-evaluates them);
    the ancestors of those, with the statuses of their other children (a parent's status comes from its
    children's; a leaf is a task without any); and the tasks they depend on (only their statuses
    matter). Without `downstream` (an action that cannot move its dependents), only the task's
    side of it. A handful of statements whatever the project's size; unscoped, because the workflow keeps
    the whole graph consistent for whoever acted. NotFound if the task is gone (deleted meanwhile)."""
    reached = {task_id} | (await _dependents(session, task_id) if downstream else set())
    ancestors = await _ancestors(session, reached)
    nodes: dict[int, Node] = {}
    timings: dict[int, LeafTiming] = {}
    family = reached | ancestors
    for batch in chunks(family):
        _add_rows(nodes, timings, await _unscoped(session, select(*_GRAPH_COLUMNS).where(Task.id.in_(batch))))
    for node in nodes.values():
        if node.parent_id in nodes:
            nodes[node.parent_id].children.append(node.id)
    # The other children are only statuses to a parent's roll-up: children counted per parent and
    # status, less those loaded as nodes.
    for batch in chunks(family):
        counts = (
            select(Task.parent_id, Task.status, func.count())
            .where(Task.parent_id.in_(batch))
            .group_by(Task.parent_id, Task.status)
        )
        for parent_id, status, count in await _unscoped(session, counts):
            loaded = sum(1 for c in nodes[parent_id].children if nodes[c].status.value == status)
            if count > loaded:
                nodes[parent_id].other_statuses.add(TaskStatus(status))
    links = []
    for batch in chunks(reached):
        statement = select(TaskDependency.task_id, TaskDependency.depends_on_id, TaskDependency.target).where(
            TaskDependency.task_id.in_(batch)
        )
        links.extend(await _unscoped(session, statement))
    depended_on = sorted({depends_on_id for _, depends_on_id, _ in links} - nodes.keys())
    for batch in chunks(depended_on):
        _add_rows(nodes, timings, await _unscoped(session, select(*_GRAPH_COLUMNS).where(Task.id.in_(batch))))
    for dependent, depends_on_id, target in links:
        nodes[dependent].depends[depends_on_id] = target
        nodes[depends_on_id].dependents.append(dependent)
    if task_id not in nodes:
        raise NotFound(f"no task with id {task_id}", field="task_id")
    return nodes, timings


async def _unscoped(session: AsyncSession, statement: Any) -> list[Any]:
    return list(await session.execute(statement.execution_options(**{UNSCOPED: True})))


def _add_rows(nodes: dict[int, Node], timings: dict[int, LeafTiming], rows: Iterable[Any]) -> None:
    for row in rows:
        if row.id in nodes:
            continue
        nodes[row.id] = Node(
            id=row.id,
            name=row.name,
            parent_id=row.parent_id,
            status=TaskStatus(row.status),
            schedule_timing=row.schedule_timing,
            schedule_unit=row.schedule_unit,
            schedule_model=row.schedule_model,
            priority=row.priority,
            review_number=row.review_number,
            logged_seconds=row.logged_seconds,
            has_time_logs=row.logged_seconds > LOGGED_EPSILON,
            project_id=row.project_id,
            start=row.start,
            end=row.end,
        )
        timings[row.id] = LeafTiming(
            row.schedule_timing, row.schedule_unit, row.schedule_model, row.logged_seconds, row.start, row.end
        )


async def _dependents(session: AsyncSession, task_id: int) -> set[int]:
    """Every task that depends on the task, directly or through others."""
    seed = select(TaskDependency.task_id).where(TaskDependency.depends_on_id == task_id)
    tree = seed.cte("dependents", recursive=True)
    tree = tree.union(
        select(TaskDependency.task_id).join(tree, TaskDependency.depends_on_id == tree.c.task_id)
    )
    return {row[0] for row in await _unscoped(session, select(tree.c.task_id))}


async def _ancestors(session: AsyncSession, task_ids: set[int]) -> set[int]:
    """The parents of the tasks, up to their roots."""
    found: set[int] = set()
    for batch in chunks(task_ids):
        seed = select(Task.parent_id.label("id")).where(Task.id.in_(batch), Task.parent_id.is_not(None))
        tree = seed.cte("ancestors", recursive=True)
        up = select(Task.parent_id).join(tree, Task.id == tree.c.id).where(Task.parent_id.is_not(None))
        tree = tree.union(up)
        found.update(row[0] for row in await _unscoped(session, select(tree.c.id)))
    return found - task_ids


async def write_graph(
    session: AsyncSession, changed: Sequence[Node], retargeted: Iterable[tuple[int, int]]
) -> None:
    """The workflow's changes: each changed task's status, timing, priority and review round (its
    revision bumped), and the dependencies switched to `onstart`; one executemany each."""
    if changed:
        await session.execute(
            update(TASKS)
            .where(TASKS.c.id == bindparam("task_id"))
            .values(
                status=bindparam("new_status"),
                schedule_timing=bindparam("new_timing"),
                schedule_unit=bindparam("new_unit"),
                priority=bindparam("new_priority"),
                review_number=bindparam("new_review_number"),
                revision=TASKS.c.revision + 1,
                updated_at=bindparam("now"),
            ),
            [
                {
                    "task_id": node.id,
                    "new_status": node.status.value,
                    "new_timing": node.schedule_timing,
                    "new_unit": node.schedule_unit,
                    "new_priority": node.priority,
                    "new_review_number": node.review_number,
                    "now": utcnow(),
                }
                for node in changed
            ],
        )
    pairs = [{"task": t, "on": d} for t, d in sorted(retargeted)]
    if pairs:
        await session.execute(
            update(DEPENDENCIES)
            .where(
                DEPENDENCIES.c.task_id == bindparam("task"), DEPENDENCIES.c.depends_on_id == bindparam("on")
            )
            .values(target="onstart"),
            pairs,
        )


async def lock_project(session: AsyncSession, project_id: int) -> None:
    """Workflow actions and task writes of one project take turns (task writes lock the same row)."""
    await session.execute(select(Project.id).where(Project.id == project_id).with_for_update(key_share=True))


async def add_logged(session: AsyncSession, task_id: int, seconds: float) -> None:
    """Keep the task's running total of its time logs."""
    await session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(logged_seconds=Task.logged_seconds + seconds)
        .execution_options(synchronize_session=False)
    )


async def overlapping_log(
    session: AsyncSession, resource_id: int, start: datetime, end: datetime, own_id: int | None = None
) -> TimeLog | None:
    """The resource's time log that meets `[start, end)`, in any project (a person works one thing at a
    time): logs that only touch (one ends when the other starts) do not meet."""
    statement = (
        select(TimeLog)
        .where(
            TimeLog.resource_id == resource_id,
            TimeLog.start < end,
            TimeLog.end > start,
            TimeLog.id != (own_id or -1),
        )
        .order_by(TimeLog.start)
        .limit(1)
        .execution_options(**{UNSCOPED: True})
    )
    return await session.scalar(statement)


async def task_user_ids(session: AsyncSession, task_id: int) -> set[int]:
    """The task's resources and alternative resources: who may log time on it."""
    found: set[int] = set()
    for link in (task_resource, task_alternative_resource):
        found.update(await session.scalars(select(link.c.user_id).where(link.c.task_id == task_id)))
    return found


async def user_name(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(User.login).where(User.id == user_id))


async def round_reviews(session: AsyncSession, task_id: int, review_number: int) -> list[Review]:
    statement = (
        select(Review)
        .where(Review.task_id == task_id, Review.review_number == review_number)
        .order_by(Review.id)
    )
    return list(await session.scalars(statement))


_TIMING_COLUMNS = (
    Task.id,
    Task.parent_id,
    Task.schedule_timing,
    Task.schedule_unit,
    Task.schedule_model,
    Task.logged_seconds,
    *PLANNED,
)


@dataclass
class SubtreeSums:
    """A container's leaves summed in the database: scheduled timing per (unit, model), the effort leaves'
    logged seconds; the duration and length leaves one by one (their logged time is the time elapsed)."""

    timing: dict[tuple[str, str], float] = field(default_factory=dict)
    effort_logged: float = 0.0
    timed_leaves: list[LeafTiming] = field(default_factory=list)


async def subtree_sums(session: AsyncSession, root_ids: Sequence[int]) -> dict[int, SubtreeSums]:
    """Each root's leaves, summed: two statements per chunk of roots, whatever the size of the subtrees."""
    found = {root: SubtreeSums() for root in root_ids}
    child = aliased(Task)
    leaf = ~exists().where(child.parent_id == Task.id)
    for batch in chunks(root_ids):
        seed = select(Task.id.label("root"), Task.id.label("id")).where(Task.id.in_(batch))
        tree = seed.cte("tree", recursive=True)
        tree = tree.union_all(select(tree.c.root, Task.id).join(tree, Task.parent_id == tree.c.id))
        sums = (
            select(
                tree.c.root,
                Task.schedule_unit,
                Task.schedule_model,
                func.sum(Task.schedule_timing),
                func.sum(Task.logged_seconds),
            )
            .join(tree, tree.c.id == Task.id)
            .where(leaf)
            .group_by(tree.c.root, Task.schedule_unit, Task.schedule_model)
        )
        for root, unit, model, timing, logged in await session.execute(sums):
            figures = found[root]
            figures.timing[(unit, model)] = float(timing or 0)
            if model == "effort":
                figures.effort_logged += float(logged or 0)
        timed = (
            select(tree.c.root, *_TIMING_COLUMNS)
            .join(tree, tree.c.id == Task.id)
            .where(leaf, Task.schedule_model != "effort")
        )
        for row in await session.execute(timed):
            found[row.root].timed_leaves.append(_leaf_timing(row))
    return found


def _leaf_timing(row: Any) -> LeafTiming:
    return LeafTiming(
        row.schedule_timing, row.schedule_unit, row.schedule_model, row.logged_seconds, row.start, row.end
    )


async def project_leaves(session: AsyncSession, project_id: int) -> list[LeafTiming]:
    """The timing of every leaf of the project (a task no other task has as its parent)."""
    parents = select(Task.parent_id).where(Task.project_id == project_id, Task.parent_id.is_not(None))
    statement = select(*_TIMING_COLUMNS).where(Task.project_id == project_id, Task.id.not_in(parents))
    return [_leaf_timing(r) for r in await session.execute(statement)]


def tasks_of_user(user_id: int, roles: Sequence[str]) -> Any:
    """The ids of the tasks the user is a resource, responsible or watcher of (those named in `roles`)."""
    links = {"resource": task_resource, "responsible": task_responsible, "watcher": task_watcher}
    return union(*(select(links[r].c.task_id).where(links[r].c.user_id == user_id) for r in roles))


async def logs_between(
    session: AsyncSession, access: Access, user_id: int, start: datetime, end: datetime
) -> list[TimeLog]:
    """The user's time logs that meet `[start, end)` and the caller may read (logs_seen_by), by start."""
    statement = (
        select(TimeLog)
        .where(TimeLog.resource_id == user_id, TimeLog.start < end, TimeLog.end > start, logs_seen_by(access))
        .order_by(TimeLog.start, TimeLog.id)
    )
    return list(await session.scalars(statement))


async def waiting_reviews(session: AsyncSession, project_id: int) -> list[Review]:
    statement = (
        select(Review)
        .where(Review.project_id == project_id, Review.status == "NEW")
        .order_by(Review.reviewer_id, Review.created_at, Review.id)
    )
    return list(await session.scalars(statement))


async def tasks_with_work(session: AsyncSession, task_ids: Sequence[int]) -> list[int]:
    """Those of the tasks that have time logs or a review waiting (NEW)."""
    found: set[int] = set()
    for batch in chunks(task_ids):
        logged = select(TimeLog.task_id).where(TimeLog.task_id.in_(batch))
        reviewed = select(Review.task_id).where(Review.task_id.in_(batch), Review.status == "NEW")
        found.update(await session.scalars(union(logged, reviewed).execution_options(**{UNSCOPED: True})))
    return sorted(found)


async def tracking_of(session: AsyncSession, task_ids: Sequence[int]) -> list[TimeLogDeleted | ReviewDeleted]:
    """The deletion events of the tasks' time logs and reviews, which go with them."""
    events: list[TimeLogDeleted | ReviewDeleted] = []
    for batch in chunks(task_ids):
        logs = select(TimeLog.id, TimeLog.revision, TimeLog.task_id, TimeLog.project_id, TimeLog.resource_id)
        for row in await _unscoped(session, logs.where(TimeLog.task_id.in_(batch)).order_by(TimeLog.id)):
            events.append(
                TimeLogDeleted(
                    id=row.id,
                    revision=row.revision + 1,
                    task_id=row.task_id,
                    project_id=row.project_id,
                    resource_id=row.resource_id,
                )
            )
        reviews = select(Review.id, Review.revision, Review.task_id, Review.project_id)
        for row in await _unscoped(session, reviews.where(Review.task_id.in_(batch)).order_by(Review.id)):
            events.append(
                ReviewDeleted(
                    id=row.id, revision=row.revision + 1, task_id=row.task_id, project_id=row.project_id
                )
            )
    return events


def logs_seen_by(access: Access) -> ColumnElement[bool]:
    """The time logs a caller may read: their own, and anyone's in the projects where they may log for
    others (leads, producers; admins everywhere). A viewer sees a task's logged total, not the hours."""
    if access.is_admin:
        return true()
    others = [p for p in access.roles if access.may(Operation.TIME_LOG_ANY, p)]
    return or_(TimeLog.resource_id == access.user_id, TimeLog.project_id.in_(others))
