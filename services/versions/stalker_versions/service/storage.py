"""A project's storage (its repositories in order, the first being "the" repository, and its structure),
set by the project's producers and admins, and the folders its structure asks to create."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.access import Operation
from stalker_shared.auth import Principal
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.catalog_client import CatalogLookup
from stalker_versions.db.access import enter_scope
from stalker_versions.db.models import ProjectRef, ProjectRepository, ProjectStorage, Repository, Structure
from stalker_versions.db.queries import STORAGE_LOAD, all_repositories, get_many, get_one, roots_of
from stalker_versions.domain.context import ProjectView, project_view, repository_view, structure_context
from stalker_versions.domain.directories import absolute_directories, directory_lines, project_root
from stalker_versions.domain.errors import Conflict, NotFound, ValidationFailed
from stalker_versions.domain.paths import OperatingSystem
from stalker_versions.service.read_model import ensure_project
from stalker_versions.templates.checks import render_field
from stalker_versions.templates.offload import off_loop

MAX_REPOSITORIES = 32


@dataclass(frozen=True)
class SetStorage:
    project_id: int
    repository_ids: tuple[int, ...]
    structure_id: int | None
    changed_by_id: int | None = None


@dataclass(frozen=True)
class Directories:
    os: OperatingSystem
    root: str
    directories: list[str]


# Built once: every version's creation reads the storage (see queries.task_chain).
_STORAGE = (
    select(ProjectStorage)
    .where(ProjectStorage.project_id == bindparam("project_id"))
    .options(*STORAGE_LOAD)
    .execution_options(populate_existing=True)
)


async def load_storage(session: AsyncSession, project_id: int) -> ProjectStorage | None:
    return (await session.scalars(_STORAGE, {"project_id": project_id})).unique().one_or_none()


async def set_storage(
    units: Callable[[], UnitOfWork],
    catalog: CatalogLookup,
    command: SetStorage,
    caller: Principal,
    token: str | None,
    precondition: Callable[[ProjectStorage | None], None] | None = None,
) -> ProjectStorage:
    """Replace the project's repositories and structure (the project is fetched from the catalog if new,
    with the caller's token: the catalog answers 404 to a non-member). The caller's access is read once
    the project, with its members, is known here."""
    if len(set(command.repository_ids)) != len(command.repository_ids):
        raise ValidationFailed("repository_ids lists a repository twice", field="repository_ids")
    if len(command.repository_ids) > MAX_REPOSITORIES:
        raise ValidationFailed(f"a project has at most {MAX_REPOSITORIES} repositories", "repository_ids")
    await ensure_project(units, catalog, command.project_id, token)
    async with units() as uow:
        session = uow.session
        access = await enter_scope(uow, caller, catalog)
        access.require(Operation.STORAGE_SET, command.project_id)
        await get_many(session, Repository, command.repository_ids, "repository_ids")
        if command.structure_id is not None:
            await get_one(session, Structure, command.structure_id, field="structure_id")
        storage = await session.get(ProjectStorage, command.project_id, with_for_update=True)
        if precondition is not None:  # the caller's If-Match, on the row as locked for this write
            precondition(storage)
        if storage is None:
            storage = ProjectStorage(project_id=command.project_id, created_by_id=command.changed_by_id)
            session.add(storage)
        storage.structure_id = command.structure_id
        storage.updated_at = utcnow()
        await session.flush()
        # Rewritten as a whole: positions are unique per project, so old rows go before new ones arrive.
        await session.execute(
            delete(ProjectRepository).where(ProjectRepository.project_id == command.project_id)
        )
        if command.repository_ids:
            await session.execute(
                insert(ProjectRepository),
                [
                    {"project_id": command.project_id, "repository_id": r, "position": i}
                    for i, r in enumerate(command.repository_ids)
                ],
            )
        await uow.commit()
        stored = await load_storage(session, command.project_id)
        assert stored is not None
        return stored


def project_context(
    project: ProjectRef, storage: ProjectStorage, repositories: dict[int, Repository]
) -> ProjectView:
    """The `project` template variable: the project with its repositories in order."""
    ordered = [repositories[link.repository_id] for link in storage.repositories]
    return project_view(
        project.id, project.name, project.code, [repository_view(roots_of(r), r.name) for r in ordered]
    )


async def project_directories(uow: UnitOfWork, project_id: int, os: OperatingSystem) -> Directories:
    """The absolute folders to create on `os`: the structure's custom template, one folder per line."""
    session = uow.session
    project = await session.get(ProjectRef, project_id)
    if project is None or project.deleted:
        raise NotFound(f"project {project_id} is not known to the versions service")
    storage = await load_storage(session, project_id)
    if storage is None or not storage.repositories:
        raise Conflict(f"project {project.code} has no repository; set its storage first")
    if storage.structure_id is None:
        raise Conflict(f"project {project.code} has no structure; set its storage first")
    structure = await get_one(session, Structure, storage.structure_id)
    rows = {r.id: r for r in await all_repositories(session)}
    view = project_context(project, storage, rows)
    rendered = await off_loop(
        render_field, structure.custom_template, structure_context(view), "custom_template", Conflict
    )
    repositories = [roots_of(r) for r in rows.values()]
    first = roots_of(rows[storage.repositories[0].repository_id])
    root = project_root(first, project.code, os)
    try:
        lines = directory_lines(rendered)
    except ValidationFailed as exc:
        raise Conflict(exc.message, field=exc.field, **exc.extensions) from None
    return Directories(os=os, root=root, directories=absolute_directories(lines, root, repositories, os))
