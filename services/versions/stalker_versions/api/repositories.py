"""Routes for repositories (changed by admins, read by any user) and for converting paths between the
operating systems' forms and the portable `$REPO<id>` form."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy import func, select

from stalker_shared.auth import Principal
from stalker_shared.runtime import Runtime
from stalker_versions.api.schemas.common import Page
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
    RepositoryRoots,
    code_variable,
    expand_named,
    id_variable,
    require_portable,
    require_repository,
)
from stalker_versions.service import repositories


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


def repositories_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(
        prefix="/v1/repositories", tags=["repositories"], dependencies=[Depends(runtime.auth.user)]
    )

    @router.get("", response_model=Page[RepositoryRead])
    async def list_repositories(
        limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)
    ) -> Page[RepositoryRead]:
        async with runtime.unit_of_work() as uow:
            total = await uow.session.scalar(select(func.count()).select_from(Repository))
            rows = await uow.session.scalars(
                select(Repository).order_by(Repository.id).limit(limit).offset(offset)
            )
            items = [repository_read(r) for r in rows]
        return Page[RepositoryRead](items=items, total=int(total or 0), limit=limit, offset=offset)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=RepositoryRead)
    async def create_repository(
        body: RepositoryCreate, principal: Principal = Depends(runtime.auth.admin)
    ) -> RepositoryRead:
        command = repositories.CreateRepository(**body.model_dump(), created_by_id=principal.user_id)
        async with runtime.unit_of_work() as uow:
            return repository_read(await repositories.create_repository(uow, command))

    @router.get("/{repository_id}", response_model=RepositoryRead)
    async def get_repository(repository_id: int) -> RepositoryRead:
        async with runtime.unit_of_work() as uow:
            return repository_read(await get_one(uow.session, Repository, repository_id))

    @router.patch(
        "/{repository_id}", response_model=RepositoryRead, dependencies=[Depends(runtime.auth.admin)]
    )
    async def update_repository(repository_id: int, body: RepositoryUpdate) -> RepositoryRead:
        command = repositories.UpdateRepository(repository_id, body.model_dump(exclude_unset=True))
        async with runtime.unit_of_work() as uow:
            return repository_read(await repositories.update_repository(uow, command))

    @router.delete(
        "/{repository_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(runtime.auth.admin)]
    )
    async def delete_repository(repository_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await repositories.delete_repository(uow, repository_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/{repository_id}/path", response_model=RepositoryPath)
    async def repository_path(repository_id: int, os: OperatingSystem = Query("linux")) -> RepositoryPath:
        async with runtime.unit_of_work() as uow:
            repository = roots_of(await get_one(uow.session, Repository, repository_id))
        return RepositoryPath(repository_id=repository_id, os=os, path=repository.require_root(os))

    return router


def paths_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/paths", tags=["paths"], dependencies=[Depends(runtime.auth.user)])

    async def known() -> list[RepositoryRoots]:
        async with runtime.unit_of_work() as uow:
            return [roots_of(r) for r in await all_repositories(uow.session)]

    @router.post("/to-portable", response_model=PortablePath, summary="An absolute path as $REPO<id>/...")
    async def portable(body: PathIn) -> PortablePath:
        path, repository = require_portable(body.path, await known())
        return PortablePath(path=path, repository_id=repository.id)

    @router.post("/expand", response_model=ExpandedPath, summary="A $REPO<id|code> path on one OS")
    async def expanded(body: PathIn, os: OperatingSystem = Query("linux")) -> ExpandedPath:
        path, repository = expand_named(body.path, await known(), os)
        return ExpandedPath(path=path, os=os, repository_id=repository.id if repository else None)

    @router.post("/repository", response_model=RepositoryRead, summary="The repository a path belongs to")
    async def owner(body: PathIn) -> RepositoryRead:
        repository = require_repository(body.path, await known())
        async with runtime.unit_of_work() as uow:
            return repository_read(await get_one(uow.session, Repository, repository.id))

    return router
