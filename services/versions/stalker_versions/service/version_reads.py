"""Versions with what their responses need: input and output ids, and the repository their path lives in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.listing import ListParams, ListSpec, fetch_page
from stalker_versions.db.models import Version, version_input, version_output
from stalker_versions.db.queries import get_one, repositories_by_id, roots_of
from stalker_versions.domain.errors import NotFound
from stalker_versions.domain.paths import RepositoryRoots

DEFAULT_TAKE = "Main"


@dataclass(frozen=True)
class VersionRecord:
    version: Version
    input_ids: list[int]
    output_ids: list[int]
    repository: RepositoryRoots | None


async def _links(
    session: AsyncSession, table: Table, column: str, ids: Sequence[int]
) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(table.c.version_id, table.c[column])
        .where(table.c.version_id.in_(ids))
        .order_by(table.c[column])
    )
    for version_id, other in rows:
        found[version_id].append(other)
    return found


async def records(session: AsyncSession, versions: Sequence[Version]) -> list[VersionRecord]:
    """Each version with its links and repository, in four queries whatever the count."""
    ids = [v.id for v in versions]
    inputs = await _links(session, version_input, "input_id", ids)
    outputs = await _links(session, version_output, "output_id", ids)
    repositories = await repositories_by_id(session, [v.repository_id for v in versions])
    return [
        VersionRecord(
            version=v,
            input_ids=inputs[v.id],
            output_ids=outputs[v.id],
            repository=roots_of(repositories[v.repository_id]) if v.repository_id in repositories else None,
        )
        for v in versions
    ]


async def one_record(session: AsyncSession, version_id: int) -> VersionRecord:
    return (await records(session, [await get_one(session, Version, version_id)]))[0]


async def task_versions(
    session: AsyncSession, task_id: int, spec: ListSpec, params: ListParams
) -> tuple[list[VersionRecord], int]:
    """A page of a task's versions (by take, then number, unless sorted otherwise), with the total."""
    statement = select(Version).where(Version.task_id == task_id)
    found, total = await fetch_page(session, statement, spec, params)
    return await records(session, found), total


async def latest_version(
    session: AsyncSession, task_id: int, take_name: str, *, published: bool
) -> VersionRecord:
    """The highest-numbered version of a task's take (only published ones if `published`)."""
    conditions = [Version.task_id == task_id, Version.take_name == take_name]
    if published:
        conditions.append(Version.is_published.is_(True))
    statement = select(Version).where(*conditions).order_by(Version.version_number.desc()).limit(1)
    version = (await session.scalars(statement)).one_or_none()
    if version is None:
        kind = "published version" if published else "version"
        raise NotFound(f"task {task_id} has no {kind} in take {take_name!r}")
    return (await records(session, [version]))[0]
