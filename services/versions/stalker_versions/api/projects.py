"""Routes for projects as this service knows them: the read model, the storage (repositories and
structure, set by the project's producers and admins) and the folders to create. Members read them;
to anyone else a project here does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from stalker_shared.auth import Principal
from stalker_shared.etags import ETag, IfMatch, Revision
from stalker_shared.requests import RuntimeDep, Work, principal
from stalker_shared.types import Id
from stalker_versions.api.common import Catalog, bearer_token
from stalker_versions.api.schemas.projects import DirectoriesRead, ProjectRefRead, StorageIn, StorageRead
from stalker_versions.db.models import ProjectRef, ProjectStorage
from stalker_versions.db.queries import get_one
from stalker_versions.domain.errors import NotFound
from stalker_versions.domain.paths import OperatingSystem
from stalker_versions.service.storage import SetStorage, load_storage, project_directories, set_storage


def storage_read(storage: ProjectStorage) -> StorageRead:
    ids = [link.repository_id for link in storage.repositories]
    return StorageRead(
        project_id=storage.project_id,
        repository_ids=ids,
        repository_id=ids[0] if ids else None,
        structure_id=storage.structure_id,
        revision=storage.revision,
        updated_at=storage.updated_at,
    )


def projects_router() -> APIRouter:
    router = APIRouter(prefix="/v1/projects", tags=["projects"], dependencies=[Depends(principal)])

    @router.get(
        "/{project_id}", response_model=ProjectRefRead, summary="The project as this service knows it"
    )
    async def read(project_id: Id, uow: Work) -> ProjectRefRead:
        project = await get_one(uow.session, ProjectRef, project_id)
        if project.deleted:
            raise NotFound(f"project {project_id} was deleted in the catalog")
        return ProjectRefRead.model_validate(project)

    @router.put("/{project_id}/storage", response_model=StorageRead)
    async def put_storage(
        runtime: RuntimeDep,
        catalog: Catalog,
        project_id: Id,
        body: StorageIn,
        request: Request,
        claims: Annotated[Principal, Depends(principal)],
        etag: IfMatch,
    ) -> StorageRead:
        # The handler reads the caller's access after it may have fetched the project (and its members).
        command = SetStorage(project_id, tuple(body.repository_ids), body.structure_id, claims.user_id)
        storage = await set_storage(
            runtime.unit_of_work,
            catalog,
            command,
            claims,
            bearer_token(request),
            lambda stored: etag.require(stored and Revision(stored.revision)),
        )
        return etag.tag(storage_read(storage))

    @router.get("/{project_id}/storage", response_model=StorageRead)
    async def get_storage(project_id: Id, uow: Work, etag: ETag) -> StorageRead:
        storage = await load_storage(uow.session, project_id)
        if storage is None:
            raise NotFound(f"project {project_id} has no storage set")
        return etag.tag(storage_read(storage))

    @router.get("/{project_id}/directories", response_model=DirectoriesRead)
    async def directories(project_id: Id, uow: Work, os: OperatingSystem = Query("linux")) -> DirectoriesRead:
        listing = await project_directories(uow, project_id, os)
        return DirectoriesRead(
            project_id=project_id, os=os, root=listing.root, directories=listing.directories
        )

    return router
