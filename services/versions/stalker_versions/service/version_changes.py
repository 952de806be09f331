"""Changing and deleting versions. Number, paths, task and take never change once given; publishing emits
an event; only the creator or an admin may delete, and the number stays used."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert

from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.models import Version, version_input, version_output
from stalker_versions.db.queries import get_many, get_one
from stalker_versions.domain.errors import Forbidden, ValidationFailed
from stalker_versions.service.events import version_published
from stalker_versions.service.version_reads import VersionRecord, records


@dataclass(frozen=True)
class Actor:
    user_id: int
    is_admin: bool


@dataclass(frozen=True)
class UpdateVersion:
    version_id: int
    actor: Actor
    is_published: bool | None = None
    description: str | None = None
    input_ids: tuple[int, ...] | None = None
    output_ids: tuple[int, ...] | None = None


async def update_version(uow: UnitOfWork, command: UpdateVersion) -> VersionRecord:
    session = uow.session
    version = await get_one(session, Version, command.version_id, for_update=True)
    if command.description is not None:
        version.description = command.description
    for table, column, ids, field in (
        (version_input, "input_id", command.input_ids, "input_ids"),
        (version_output, "output_id", command.output_ids, "output_ids"),
    ):
        if ids is None:
            continue
        if version.id in ids:
            raise ValidationFailed(f"a version cannot list itself in {field}", field=field)
        await get_many(session, Version, ids, field)
        await session.execute(delete(table).where(table.c.version_id == version.id))
        if ids:
            await session.execute(insert(table), [{"version_id": version.id, column: i} for i in ids])
    newly_published = command.is_published is True and not version.is_published
    if command.is_published is not None and command.is_published != version.is_published:
        version.is_published = command.is_published
        version.published_at = utcnow() if command.is_published else None
    version.updated_at = utcnow()  # the revision moves on even when only links changed
    await session.flush()
    if newly_published:
        await uow.publish(version_published(version, command.actor.user_id))
    await uow.commit()
    return (await records(session, [version]))[0]


async def delete_version(uow: UnitOfWork, version_id: int, actor: Actor) -> None:
    session = uow.session
    version = await get_one(session, Version, version_id, for_update=True)
    if not actor.is_admin and version.created_by_id != actor.user_id:
        raise Forbidden(f"only the creator of version {version_id} or an admin may delete it")
    # The counter is untouched: this number is never handed out again for the task and take.
    await session.delete(version)
    await uow.commit()
