"""Keeps the catalog's mirror of versions (db/version_mirror.py) from the versions service's events.
Every event of a version tells its unchanging identity, so whichever arrives first records it and the
rest change nothing: a redelivered or late event is harmless (and the inbox drops a repeated message)."""

from __future__ import annotations

from stalker_catalog.db.version_mirror import forget_version, remember_version
from stalker_shared.consumer import Handler
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.contracts.versions import VersionCreated, VersionDeleted, VersionPublished
from stalker_shared.unit_of_work import UnitOfWork


async def on_version(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, VersionCreated | VersionPublished)
    await remember_version(
        uow.session, event.id, event.project_id, event.task_id, event.take_name, event.version_number
    )


async def on_version_deleted(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    """A tombstone: a late event of the version cannot bring it back."""
    assert isinstance(event, VersionDeleted)
    await forget_version(uow.session, event.id)


VERSION_EVENT_HANDLERS: dict[type[Contract], Handler] = {
    VersionCreated: on_version,
    VersionPublished: on_version,
    VersionDeleted: on_version_deleted,
}
