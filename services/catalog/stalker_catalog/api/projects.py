"""Routes for projects and the users working on them: members read, producers change (access.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from stalker_catalog.api.read_models import PROJECT_LIST, project_read
from stalker_catalog.api.schemas.projects import (
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
    ProjectUserAdd,
    ProjectUserRead,
)
from stalker_catalog.db.models import Project
from stalker_catalog.db.project_queries import PROJECT_LOAD
from stalker_catalog.db.repository import get_one
from stalker_catalog.service import projects as service
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import (
    ListParams,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import Work, admin
from stalker_shared.resources import changes_of
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork

CLEARABLE = frozenset({"image_format_id", "start", "end"})


router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.get("", response_model=Page[ProjectRead], description=PROJECT_LIST.describe())
async def list_projects(
    uow: Work, params: Annotated[ListParams, Depends(list_params)]
) -> Page[ProjectRead] | JSONResponse:
    statement = select(Project).options(*PROJECT_LOAD)
    rows, total = await fetch_page(uow.session, statement, PROJECT_LIST, params)
    return page_response(make_page([project_read(p) for p in rows], total, params), params, ProjectRead)


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ProjectRead, dependencies=[Depends(admin)]
)
async def create_project(uow: Work, body: ProjectCreate, etag: ETag) -> ProjectRead:
    command = service.CreateProject(**body.model_dump(exclude={"user_ids"}), user_ids=tuple(body.user_ids))
    return etag.tag(project_read(await service.create_project(uow, command)))


@router.get("/{project_id}", response_model=ProjectRead)
async def get_project(uow: Work, project_id: Id, etag: ETag) -> ProjectRead:
    return etag.tag(project_read(await get_one(uow.session, Project, project_id, *PROJECT_LOAD)))


def _locked(uow: UnitOfWork, project_id: int) -> Awaitable[Project]:
    return get_one(uow.session, Project, project_id, *PROJECT_LOAD, for_update=True)


@router.patch("/{project_id}", response_model=ProjectRead)
async def update_project(uow: Work, project_id: Id, body: ProjectUpdate, etag: IfMatch) -> ProjectRead:
    await etag.check(lambda: _locked(uow, project_id))
    return etag.tag(project_read(await service.update_project(uow, project_id, changes_of(body, CLEARABLE))))


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(uow: Work, project_id: Id, etag: IfMatch) -> Response:
    """Deletes the project's tasks too."""
    await etag.check(lambda: _locked(uow, project_id))
    await service.delete_project(uow, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{project_id}/users", response_model=list[ProjectUserRead])
async def project_users(uow: Work, project_id: Id) -> list[ProjectUserRead]:
    members = await service.project_members(uow, project_id)
    return [ProjectUserRead.model_validate(asdict(m)) for m in members]


@router.post("/{project_id}/users", status_code=status.HTTP_201_CREATED, response_model=ProjectUserRead)
async def add_project_user(uow: Work, project_id: Id, body: ProjectUserAdd) -> ProjectUserRead:
    member = await service.add_project_user(uow, project_id, body.user_id, body.role_id, body.rate)
    return ProjectUserRead.model_validate(asdict(member))


@router.delete("/{project_id}/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_project_user(uow: Work, project_id: Id, user_id: Id) -> Response:
    await service.remove_project_user(uow, project_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def projects_router() -> APIRouter:
    return router
