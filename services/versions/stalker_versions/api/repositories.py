"""Routes for repositories (changed by admins, read by any user) and for converting paths between the
operating systems' forms and the portable `$REPO<id>` form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from stalker_shared.listing import ListSpec
from stalker_shared.requests import Work
from stalker_shared.resources import Resource, resource_router
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.api.schemas.repositories import (
    ExpandedPath,
    PathIn,
    PortablePath,
    RepositoryCreate,
    RepositoryPath,
    RepositoryRead,
    RepositoryUpdate,
)
from stalker_versions.db.models import Repository
from stalker_versions.db.queries import all_repositories, get_one, roots_of
from stalker_versions.domain.paths import (
    OperatingSystem,
    code_variable,
    expand_named,
    id_variable,
    require_portable,
    require_repository,
)
from stalker_versions.service import repositories

REPOSITORY_LIST = ListSpec(
    {
        "id": Repository.id,
        "name": Repository.name,
        "code": Repository.code,
        "linux_path": Repository.linux_path,
        "macos_path": Repository.macos_path,
        "windows_path": Repository.windows_path,
        "created_by_id": Repository.created_by_id,
    }
)


def repository_read(repository: Repository) -> RepositoryRead:
    return RepositoryRead.model_validate(
        {
            **{
                k: getattr(repository, k)
                for k in RepositoryRead.model_fields
                if k not in ("variable", "code_variable")
            },
            "variable": id_variable(repository.id),
            "code_variable": code_variable(repository.code),
        }
    )


async def _create_repository(uow: UnitOfWork, body: RepositoryCreate) -> Repository:
    command = repositories.CreateRepository(**body.model_dump(), created_by_id=uow.access.user_id)
    return await repositories.create_repository(uow, command)


async def _update_repository(uow: UnitOfWork, repository_id: Id, changes: dict[str, Any]) -> Repository:
    return await repositories.update_repository(uow, repositories.UpdateRepository(repository_id, changes))


REPOSITORIES = Resource(
    path="repositories",
    id_name="repository_id",
    model=Repository,
    read_schema=RepositoryRead,
    create_schema=RepositoryCreate,
    update_schema=RepositoryUpdate,
    list_spec=REPOSITORY_LIST,
    create=_create_repository,
    update=_update_repository,
    delete=repositories.delete_repository,
    read=repository_read,
    nullable=frozenset(RepositoryUpdate.model_fields),  # a null clears a path
)
router = resource_router(REPOSITORIES)


@router.get("/{repository_id}/path", response_model=RepositoryPath)
async def repository_path(
    uow: Work, repository_id: Id, os: OperatingSystem = Query("linux")
) -> RepositoryPath:
    repository = roots_of(await get_one(uow.session, Repository, repository_id))
    return RepositoryPath(repository_id=repository_id, os=os, path=repository.require_root(os))


paths = APIRouter(prefix="/v1/paths", tags=["paths"])


@paths.post("/to-portable", response_model=PortablePath, summary="An absolute path as $REPO<id>/...")
async def portable(uow: Work, body: PathIn) -> PortablePath:
    known = [roots_of(r) for r in await all_repositories(uow.session)]
    path, repository = require_portable(body.path, known)
    return PortablePath(path=path, repository_id=repository.id)


@paths.post("/expand", response_model=ExpandedPath, summary="A $REPO<id|code> path on one OS")
async def expanded(uow: Work, body: PathIn, os: OperatingSystem = Query("linux")) -> ExpandedPath:
    known = [roots_of(r) for r in await all_repositories(uow.session)]
    path, repository = expand_named(body.path, known, os)
    return ExpandedPath(path=path, os=os, repository_id=repository.id if repository else None)


@paths.post("/repository", response_model=RepositoryRead, summary="The repository a path belongs to")
async def owner(uow: Work, body: PathIn) -> RepositoryRead:
    found = await all_repositories(uow.session)
    repository = require_repository(body.path, [roots_of(r) for r in found])
    return repository_read(next(r for r in found if r.id == repository.id))


def repositories_router() -> APIRouter:
    return router


def paths_router() -> APIRouter:
    return paths
