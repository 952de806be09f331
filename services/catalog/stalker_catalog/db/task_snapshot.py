"""What a batch of task changes reads before deciding: the projects' task graphs (locked against other
writers of the same projects), the rows being changed, their link sets, and the ids that exist.

Every read is one statement per kind of fact (chunked for very long id lists), whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import (
    EntityType,
    ImageFormat,
    Project,
    Task,
    TaskDependency,
    User,
    shot_sequence,
    task_alternative_resource,
    task_resource,
)
from stalker_catalog.domain.tasks.commands import DependencySpec
from stalker_catalog.domain.tasks.draft import Node, Snapshot
from stalker_catalog.domain.tasks.fields import COLUMNS, Known

CHUNK = 5000
TASKS = cast(Table, Task.__table__)
DEPENDENCY_TABLE = cast(Table, TaskDependency.__table__)


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for item in ids:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def projects_of_tasks(session: AsyncSession, task_ids: Iterable[int]) -> dict[int, int]:
    """Task id -> project id for the ids that exist."""
    found: dict[int, int] = {}
    for batch in chunks(set(task_ids)):
        rows = await session.execute(select(Task.id, Task.project_id).where(Task.id.in_(batch)))
        found.update({task_id: project_id for task_id, project_id in rows})
    return found


async def lock_projects(session: AsyncSession, project_ids: Iterable[int]) -> set[int]:
    """Lock the projects (in id order) so task writes to one project run one after another: loops and
    shot codes are checked on the whole graph, which a concurrent batch could otherwise change."""
    wanted = sorted(set(project_ids))
    if not wanted:
        return set()
    statement = (
        select(Project.id).where(Project.id.in_(wanted)).order_by(Project.id).with_for_update(key_share=True)
    )
    return set((await session.scalars(statement)).all())


async def load_snapshot(session: AsyncSession, project_ids: Iterable[int]) -> Snapshot:
    """Every task and dependency of the projects (two statements)."""
    wanted = sorted(set(project_ids))
    snapshot = Snapshot()
    if not wanted:
        return snapshot
    columns = (Task.id, Task.project_id, Task.parent_id, Task.kind, Task.name, Task.code, Task.status)
    rows = await session.execute(select(*columns, Task.revision).where(Task.project_id.in_(wanted)))
    for task_id, project_id, parent_id, kind, name, code, status, revision in rows:
        snapshot.nodes[task_id] = Node(project_id, parent_id, kind, name, code, status, revision)
    dependency = DEPENDENCY_TABLE
    statement = (
        select(dependency)
        .join(TASKS, TASKS.c.id == dependency.c.task_id)
        .where(TASKS.c.project_id.in_(wanted))
    )
    for row in (await session.execute(statement)).mappings():
        spec = DependencySpec(
            depends_on_id=row["depends_on_id"],
            target=row["target"],
            gap_timing=row["gap_timing"],
            gap_unit=row["gap_unit"],
            gap_model=row["gap_model"],
        )
        snapshot.deps.setdefault(row["task_id"], {})[row["depends_on_id"]] = spec
    return snapshot


async def load_columns(session: AsyncSession, task_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The changeable columns of these tasks, by id."""
    found: dict[int, dict[str, Any]] = {}
    selected = [TASKS.c.id, *(TASKS.c[name] for name in COLUMNS)]
    for batch in chunks(set(task_ids)):
        rows = await session.execute(select(*selected).where(TASKS.c.id.in_(batch)))
        for row in rows.mappings():
            found[row["id"]] = {name: row[name] for name in COLUMNS}
    return found


async def load_links(
    session: AsyncSession,
    table: Table,
    task_ids: Iterable[int],
    owner: str = "task_id",
    other: str = "user_id",
) -> dict[int, list[int]]:
    """A link table's rows for these owners: owner id -> the other ids, ascending."""
    found: dict[int, list[int]] = {}
    for batch in chunks(set(task_ids)):
        statement = select(table.c[owner], table.c[other]).where(table.c[owner].in_(batch))
        for owner_id, other_id in await session.execute(statement.order_by(table.c[other])):
            found.setdefault(owner_id, []).append(other_id)
    return found


async def load_link_sets(
    session: AsyncSession, task_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]], dict[int, list[int]]]:
    """Resources, alternative resources and sequences (for shots) of these tasks."""
    return (
        await load_links(session, task_resource, task_ids),
        await load_links(session, task_alternative_resource, task_ids),
        await load_links(session, shot_sequence, task_ids, "shot_id", "sequence_id"),
    )


async def load_known(
    session: AsyncSession, type_ids: set[int], image_format_ids: set[int], user_ids: set[int]
) -> Known:
    """Which of the referenced types, image formats and users exist (one statement per kind)."""

    async def existing(column: Any, ids: set[int]) -> frozenset[int]:
        found: set[int] = set()
        for batch in chunks(ids):
            found.update((await session.scalars(select(column).where(column.in_(batch)))).all())
        return frozenset(found)

    return Known(
        type_ids=await existing(EntityType.id, type_ids),
        image_format_ids=await existing(ImageFormat.id, image_format_ids),
        user_ids=await existing(User.id, user_ids),
    )


async def current_relation(session: AsyncSession, task_id: int, field: str) -> list[Any]:
    """The task's current resource_ids, alternative_resource_ids, sequence_ids or depends (DependencySpec)."""
    if field == "depends":
        # Plain rows, not ORM objects: the identity map would keep their old values after the rewrite.
        statement = select(DEPENDENCY_TABLE).where(DEPENDENCY_TABLE.c.task_id == task_id)
        rows = await session.execute(statement.order_by(DEPENDENCY_TABLE.c.depends_on_id))
        return [
            DependencySpec(
                depends_on_id=row.depends_on_id,
                target=row.target,
                gap_timing=row.gap_timing,
                gap_unit=row.gap_unit,
                gap_model=row.gap_model,
            )
            for row in rows
        ]
    if field == "sequence_ids":
        return (await load_links(session, shot_sequence, [task_id], "shot_id", "sequence_id")).get(
            task_id, []
        )
    table = task_resource if field == "resource_ids" else task_alternative_resource
    return (await load_links(session, table, [task_id])).get(task_id, [])


async def shots_in(session: AsyncSession, sequence_ids: list[int]) -> set[int]:
    """The shots in any of these sequences."""
    found: set[int] = set()
    for batch in chunks(sequence_ids):
        statement = select(shot_sequence.c.shot_id).where(shot_sequence.c.sequence_id.in_(batch))
        found.update((await session.scalars(statement)).all())
    return found
