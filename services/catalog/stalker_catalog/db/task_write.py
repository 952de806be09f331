"""Writing a plan with a few executemany statements: new rows level by level (a parent before its
children, ids returned in order), changed columns grouped by which columns change, link sets replaced."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import (
    TaskDependency,
    shot_sequence,
    task_alternative_resource,
    task_resource,
)
from stalker_catalog.db.task_snapshot import TASKS, chunks
from stalker_catalog.domain.tasks.commands import DependencySpec
from stalker_catalog.domain.tasks.draft import Links, Plan
from stalker_shared.db import utcnow

DEPENDENCIES = cast(Table, TaskDependency.__table__)


async def write_plan(session: AsyncSession, plan: Plan) -> dict[int, int]:
    """Execute the plan; returns provisional id -> database id of every new node."""
    ids = await insert_tasks(session, plan.inserts)

    def real(task_id: int) -> int:
        return ids.get(task_id, task_id)

    await update_tasks(session, plan.updates)
    await replace_links(session, task_resource, "task_id", "user_id", plan.resources, real)
    await replace_links(session, task_alternative_resource, "task_id", "user_id", plan.alternatives, real)
    await replace_links(session, shot_sequence, "shot_id", "sequence_id", plan.sequences, real)
    await replace_dependencies(session, plan.dependencies, real)
    return ids


async def insert_tasks(session: AsyncSession, inserts: Mapping[int, dict[str, Any]]) -> dict[int, int]:
    ids: dict[int, int] = {}
    for level in _levels(inserts):
        rows = [{**inserts[t], "parent_id": _real(ids, inserts[t]["parent_id"])} for t in level]
        statement = insert(TASKS).returning(TASKS.c.id, sort_by_parameter_order=True)
        created = (await session.execute(statement, rows)).scalars().all()
        ids.update(zip(level, created, strict=True))
    return ids


def _real(ids: Mapping[int, int], task_id: int | None) -> int | None:
    return None if task_id is None else ids.get(task_id, task_id)


def _levels(inserts: Mapping[int, dict[str, Any]]) -> list[list[int]]:
    """New nodes grouped by depth among the new nodes, in item order within a level."""
    depth: dict[int, int] = {}
    for start in sorted(inserts, reverse=True):  # -1, -2, ...: item order
        chain: list[int] = []
        node: int | None = start
        while node is not None and node < 0 and node not in depth:
            chain.append(node)
            node = inserts[node]["parent_id"]
        base = depth[node] if node is not None and node < 0 else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
    levels: list[list[int]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for task_id in sorted(inserts, reverse=True):
        levels[depth[task_id]].append(task_id)
    return levels


async def update_tasks(session: AsyncSession, updates: Mapping[int, dict[str, Any]]) -> None:
    """Changed columns, one executemany per set of changed columns; every row's revision moves on."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for task_id, columns in updates.items():
        groups.setdefault(tuple(sorted(columns)), []).append(task_id)
    now = utcnow()
    for names, task_ids in groups.items():
        values: dict[Any, Any] = {TASKS.c[name]: bindparam(f"v_{name}") for name in names}
        values[TASKS.c.revision] = TASKS.c.revision + 1
        values[TASKS.c.updated_at] = now
        statement = update(TASKS).where(TASKS.c.id == bindparam("v_id")).values(values)
        rows = [{"v_id": t, **{f"v_{name}": updates[t][name] for name in names}} for t in sorted(task_ids)]
        await session.execute(statement, rows)


async def replace_links(
    session: AsyncSession, table: Table, owner: str, other: str, links: Links, real: Callable[[int], int]
) -> None:
    """Replace the link rows of every owner in ``links`` (existing owners' old rows are deleted)."""
    existing = [t for t in links if t > 0]
    for batch in chunks(existing):
        await session.execute(delete(table).where(table.c[owner].in_(batch)))
    rows = [{owner: real(t), other: real(o)} for t, others in links.items() for o in others]
    if rows:
        await session.execute(insert(table), rows)


async def replace_dependencies(
    session: AsyncSession, dependencies: Mapping[int, list[DependencySpec]], real: Callable[[int], int]
) -> None:
    existing = [t for t in dependencies if t > 0]
    for batch in chunks(existing):
        await session.execute(delete(DEPENDENCIES).where(DEPENDENCIES.c.task_id.in_(batch)))
    rows = [
        {
            "task_id": real(task_id),
            "depends_on_id": real(spec.depends_on_id or 0),
            "target": spec.target,
            "gap_timing": spec.gap_timing,
            "gap_unit": spec.gap_unit,
            "gap_model": spec.gap_model,
        }
        for task_id, specs in dependencies.items()
        for spec in specs
    ]
    if rows:
        await session.execute(insert(DEPENDENCIES), rows)


async def delete_task_row(session: AsyncSession, task_id: int) -> None:
    """Delete one node; the database cascades to its descendants and their links."""
    await session.execute(delete(TASKS).where(TASKS.c.id == task_id))
