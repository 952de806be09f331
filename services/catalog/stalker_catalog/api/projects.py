"""Project routes: translate HTTP into commands and results into responses."""

from __future__ import annotations

from fastapi import APIRouter, status

from stalker_catalog.api.schemas import ProjectCreate, ProjectRead
from stalker_catalog.service.projects import CreateProject, create_project, get_project
from stalker_shared.runtime import Runtime


def projects_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/projects", tags=["projects"])

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRead)
    async def create(body: ProjectCreate) -> ProjectRead:
        async with runtime.unit_of_work() as uow:
            project = await create_project(uow, CreateProject(name=body.name, code=body.code))
        return ProjectRead.model_validate(project)

    @router.get("/{project_id}", response_model=ProjectRead)
    async def read(project_id: int) -> ProjectRead:
        async with runtime.unit_of_work() as uow:
            return ProjectRead.model_validate(await get_project(uow, project_id))

    return router
