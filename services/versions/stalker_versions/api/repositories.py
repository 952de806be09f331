"""Routes for repositories (changed by admins, read by any user) and for converting paths between the
operating systems' forms and the portable `$REPO<id>` form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from stalker_shared.listing import (
    ListParams,
    ListSpec,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import Work, admin
from stalker_shared.runtime import Runtime
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


router = APIRouter(prefix="/v1/repositories", tags=["repositories"])


@router.get("", response_model=Page[RepositoryRead], description=REPOSITORY_LIST.describe())
async def list_repositories(
    uow: Work, params: Annotated[ListParams, Depends(list_params)]
) -> Page[RepositoryRead] | JSONResponse:
    rows, total = await fetch_page(uow.session, select(Repository), REPOSITORY_LIST, params)
    return page_response(make_page([repository_read(r) for r in rows], total, params), params, RepositoryRead)


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=RepositoryRead, dependencies=[Depends(admin)]
)
async def create_repository(uow: Work, body: RepositoryCreate) -> RepositoryRead:
    command = repositories.CreateRepository(**body.model_dump(), created_by_id=uow.access.user_id)
    return repository_read(await repositories.create_repository(uow, command))


@router.get("/{repository_id}", response_model=RepositoryRead)
async def get_repository(uow: Work, repository_id: int) -> RepositoryRead:
    return repository_read(await get_one(uow.session, Repository, repository_id))


@router.patch("/{repository_id}", response_model=RepositoryRead, dependencies=[Depends(admin)])
async def update_repository(uow: Work, repository_id: int, body: RepositoryUpdate) -> RepositoryRead:
    command = repositories.UpdateRepository(repository_id, body.model_dump(exclude_unset=True))
    return repository_read(await repositories.update_repository(uow, command))


@router.delete("/{repository_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(admin)])
async def delete_repository(uow: Work, repository_id: int) -> Response:
    await repositories.delete_repository(uow, repository_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{repository_id}/path", response_model=RepositoryPath)
async def repository_path(
    uow: Work, repository_id: int, os: OperatingSystem = Query("linux")
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


def repositories_router(_: Runtime) -> APIRouter:
    return router


def paths_router(_: Runtime) -> APIRouter:
    return paths
