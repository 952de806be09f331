"""Handlers for project commands: one transaction each, the event written to the outbox inside it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from stalker_catalog.db.models import Project
from stalker_shared.contracts import ProjectCreated
from stalker_shared.problems import Problem
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CreateProject:
    name: str
    code: str


async def create_project(uow: UnitOfWork, command: CreateProject) -> Project:
    session = uow.session
    if await session.scalar(select(Project.id).where(Project.code == command.code)) is not None:
        raise Problem(409, "Conflict", f"a project with code {command.code!r} already exists", field="code")
    project = Project(name=command.name, code=command.code, revision=1)
    session.add(project)
    await session.flush()
    await uow.publish(
        ProjectCreated(id=project.id, name=project.name, code=project.code, revision=project.revision)
    )
    await uow.commit()
    return project


async def get_project(uow: UnitOfWork, project_id: int) -> Project:
    project = await uow.session.get(Project, project_id)
    if project is None:
        raise Problem(404, "Not Found", f"no project with id {project_id}")
    return project
