"""What this service knows of the catalog's projects (its read model)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from stalker_shared.problems import Problem
from stalker_shared.runtime import Runtime
from stalker_versions.db.models import ProjectRef


class ProjectRefRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    code: str
    revision: int


def project_refs_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/projects", tags=["projects"])

    @router.get("/{project_id}", response_model=ProjectRefRead)
    async def read(project_id: int) -> ProjectRefRead:
        async with runtime.unit_of_work() as uow:
            project = await uow.session.get(ProjectRef, project_id)
        if project is None or project.deleted:
            raise Problem(404, "Not Found", f"project {project_id} is not known to the versions service")
        return ProjectRefRead.model_validate(project)

    return router
