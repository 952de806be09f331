"""Queries shared by the handlers and routes: lookups by id (the shared ones, stalker_shared.repository),
the task chain, upserts, and the conversion of rows into the values the domain rules take."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from stalker_shared.repository import get_many, get_one
from stalker_versions.db.catalog import TaskRef
from stalker_versions.db.storage import ProjectStorage, Repository, Structure
from stalker_versions.domain.context import TaskNode
from stalker_versions.domain.errors import NotFound
from stalker_versions.domain.paths import RepositoryRoots

__all__ = [
    "MAX_TREE_DEPTH",
    "STORAGE_LOAD",
    "STRUCTURE_JOINED",
    "STRUCTURE_LOAD",
    "all_repositories",
    "get_many",
    "get_one",
    "node_of",
    "repositories_by_id",
    "roots_of",
    "structure_with_templates",
    "task_chain",
]

MAX_TREE_DEPTH = 64

STORAGE_LOAD = (joinedload(ProjectStorage.repositories),)
STRUCTURE_LOAD = (selectinload(Structure.templates),)
# One query for one structure (lists keep selectinload: a join would multiply the rows they page over).
STRUCTURE_JOINED = (joinedload(Structure.templates),)


def _task_chain_statement() -> Select[Any]:
    chain = (
        select(TaskRef.id, TaskRef.parent_id, literal(0).label("depth"))
        .where(TaskRef.id == bindparam("task_id"))
        .cte("chain", recursive=True)
    )
    parent = aliased(TaskRef)
    chain = chain.union_all(
        select(parent.id, parent.parent_id, chain.c.depth + 1).where(
            parent.id == chain.c.parent_id, chain.c.depth < MAX_TREE_DEPTH
        )
    )
    return select(TaskRef).join(chain, TaskRef.id == chain.c.id).order_by(chain.c.depth.desc())


# Built once: making this recursive statement took more time than running it (a third of a version's
# creation, by py-spy on bench/versions_publish.py).
_TASK_CHAIN = _task_chain_statement()


async def task_chain(session: AsyncSession, task_id: int) -> list[TaskRef]:
    """The task and the ancestors this service knows, root first (one recursive query)."""
    return list(await session.scalars(_TASK_CHAIN, {"task_id": task_id}))


def roots_of(repository: Repository) -> RepositoryRoots:
    return RepositoryRoots(
        id=repository.id,
        code=repository.code,
        linux=repository.linux_path,
        macos=repository.macos_path,
        windows=repository.windows_path,
    )


def node_of(task: TaskRef) -> TaskNode:
    return TaskNode(
        id=task.id,
        project_id=task.project_id,
        parent_id=task.parent_id,
        kind=task.kind,
        name=task.name,
        code=task.code,
        type_id=task.type_id,
        sequence_ids=tuple(task.sequence_ids or ()),
    )


_ALL_REPOSITORIES = select(Repository).order_by(Repository.id)
_STRUCTURE_WITH_TEMPLATES = (
    select(Structure).where(Structure.id == bindparam("structure_id")).options(*STRUCTURE_JOINED)
)


async def all_repositories(session: AsyncSession) -> list[Repository]:
    """Every repository: a studio has a handful, and path conversions consider all of them."""
    return list(await session.scalars(_ALL_REPOSITORIES))


async def structure_with_templates(session: AsyncSession, structure_id: int) -> Structure:
    """A structure and its templates in one query (a statement built once: every version needs it)."""
    found = (await session.scalars(_STRUCTURE_WITH_TEMPLATES, {"structure_id": structure_id})).unique()
    structure = found.one_or_none()
    if structure is None:
        raise NotFound(f"no structure with id {structure_id}")
    return structure


async def repositories_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, Repository]:
    if not ids:
        return {}
    rows = await session.scalars(select(Repository).where(Repository.id.in_(set(ids))))
    return {r.id: r for r in rows}
