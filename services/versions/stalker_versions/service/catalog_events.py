"""Keeps the read model of the catalog's projects: each event applied once, stale states ignored."""

from __future__ import annotations

from stalker_shared.contracts import Contract, Envelope, ProjectCreated, ProjectDeleted, ProjectUpdated
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.models import ProjectRef


async def apply_project_state(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, ProjectCreated | ProjectUpdated)
    project = await uow.session.get(ProjectRef, event.id, with_for_update=True)
    if project is None:
        uow.session.add(ProjectRef(id=event.id, name=event.name, code=event.code, revision=event.revision))
    elif event.revision > project.revision:
        project.name, project.code, project.revision = event.name, event.code, event.revision


async def apply_project_deleted(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, ProjectDeleted)
    project = await uow.session.get(ProjectRef, event.id, with_for_update=True)
    if project is None:
        uow.session.add(ProjectRef(id=event.id, name="", code="", revision=event.revision, deleted=True))
    elif event.revision >= project.revision:
        project.deleted, project.revision = True, event.revision
