"""Changing and deleting versions. Number, paths, task and take never change once given; publishing emits
an event; a deleted version's number stays used. Who may: a lead or producer of the version's project
(`version.edit.any`), its creator while an artist there (`version.edit.own`), or an admin. The unit of
work's session is the caller's (scoped): a version of another project is not found."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert

from stalker_shared.access import Access, Operation
from stalker_shared.contracts.versions import VersionDeleted
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.models import Version, version_input, version_output
from stalker_versions.db.queries import get_many, get_one
from stalker_versions.domain.errors import ValidationFailed
from stalker_versions.service.events import version_published
from stalker_versions.service.version_reads import VersionRecord, records


@dataclass(frozen=True)
class UpdateVersion:
    version_id: int
    is_published: bool | None = None
    description: str | None = None
    input_ids: tuple[int, ...] | None = None
    output_ids: tuple[int, ...] | None = None


def require_edit(access: Access, version: Version) -> None:
    own = version.created_by_id is not None and version.created_by_id == access.user_id
    if own and access.may(Operation.VERSION_EDIT_OWN, version.project_id):
        return
    access.require(Operation.VERSION_EDIT_ANY, version.project_id)


async def update_version(uow: UnitOfWork, command: UpdateVersion) -> VersionRecord:
    """Change the version (committed by the caller of this handler, with the event it publishes)."""
    session = uow.session
    version = await get_one(session, Version, command.version_id, for_update=True)
    require_edit(uow.access, version)
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
        await uow.publish(version_published(version, uow.access.user_id))
    return (await records(session, [version]))[0]


async def delete_version(uow: UnitOfWork, version_id: int) -> None:
    """Delete the version (committed by the caller of this handler)."""
    session = uow.session
    version = await get_one(session, Version, version_id, for_update=True)
    require_edit(uow.access, version)
    # The counter is untouched: this number is never handed out again for the task and take.
    deleted = VersionDeleted(id=version.id, project_id=version.project_id, task_id=version.task_id)
    await session.delete(version)
    await session.flush()
    await uow.publish(deleted)
