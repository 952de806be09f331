"""Routes for filename templates and structures: changed by admins, read by any user."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy import func, select

from stalker_shared.auth import Principal
from stalker_shared.runtime import Runtime
from stalker_versions.api.schemas.common import Page
from stalker_versions.api.schemas.structures import (
    FilenameTemplateCreate,
    FilenameTemplateRead,
    FilenameTemplateUpdate,
    StructureCreate,
    StructureRead,
    StructureUpdate,
)
from stalker_versions.db.models import FilenameTemplate, Structure
from stalker_versions.db.queries import STRUCTURE_LOAD, get_one
from stalker_versions.service import structures


def structure_read(structure: Structure) -> StructureRead:
    return StructureRead.model_validate(
        {
            **{k: getattr(structure, k) for k in StructureRead.model_fields if k != "template_ids"},
            "template_ids": [t.id for t in structure.templates],
        }
    )


def filename_templates_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(
        prefix="/v1/filename-templates",
        tags=["filename templates"],
        dependencies=[Depends(runtime.auth.user)],
    )

    @router.get("", response_model=Page[FilenameTemplateRead])
    async def list_templates(
        limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)
    ) -> Page[FilenameTemplateRead]:
        async with runtime.unit_of_work() as uow:
            total = await uow.session.scalar(select(func.count()).select_from(FilenameTemplate))
            rows = await uow.session.scalars(
                select(FilenameTemplate).order_by(FilenameTemplate.id).limit(limit).offset(offset)
            )
            items = [FilenameTemplateRead.model_validate(t) for t in rows]
        return Page[FilenameTemplateRead](items=items, total=int(total or 0), limit=limit, offset=offset)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=FilenameTemplateRead)
    async def create_template(
        body: FilenameTemplateCreate, principal: Principal = Depends(runtime.auth.admin)
    ) -> FilenameTemplateRead:
        command = structures.CreateFilenameTemplate(**body.model_dump(), created_by_id=principal.user_id)
        async with runtime.unit_of_work() as uow:
            return FilenameTemplateRead.model_validate(
                await structures.create_filename_template(uow, command)
            )

    @router.get("/{template_id}", response_model=FilenameTemplateRead)
    async def get_template(template_id: int) -> FilenameTemplateRead:
        async with runtime.unit_of_work() as uow:
            return FilenameTemplateRead.model_validate(
                await get_one(uow.session, FilenameTemplate, template_id)
            )

    @router.patch(
        "/{template_id}", response_model=FilenameTemplateRead, dependencies=[Depends(runtime.auth.admin)]
    )
    async def update_template(template_id: int, body: FilenameTemplateUpdate) -> FilenameTemplateRead:
        command = structures.Update(template_id, body.model_dump(exclude_unset=True))
        async with runtime.unit_of_work() as uow:
            return FilenameTemplateRead.model_validate(
                await structures.update_filename_template(uow, command)
            )

    @router.delete(
        "/{template_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(runtime.auth.admin)]
    )
    async def delete_template(template_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await structures.delete_filename_template(uow, template_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def structures_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(
        prefix="/v1/structures", tags=["structures"], dependencies=[Depends(runtime.auth.user)]
    )

    @router.get("", response_model=Page[StructureRead])
    async def list_structures(
        limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)
    ) -> Page[StructureRead]:
        async with runtime.unit_of_work() as uow:
            total = await uow.session.scalar(select(func.count()).select_from(Structure))
            rows = await uow.session.scalars(
                select(Structure).options(*STRUCTURE_LOAD).order_by(Structure.id).limit(limit).offset(offset)
            )
            items = [structure_read(s) for s in rows]
        return Page[StructureRead](items=items, total=int(total or 0), limit=limit, offset=offset)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=StructureRead)
    async def create_structure(
        body: StructureCreate, principal: Principal = Depends(runtime.auth.admin)
    ) -> StructureRead:
        command = structures.CreateStructure(
            name=body.name,
            template_ids=tuple(body.template_ids),
            custom_template=body.custom_template,
            created_by_id=principal.user_id,
        )
        async with runtime.unit_of_work() as uow:
            return structure_read(await structures.create_structure(uow, command))

    @router.get("/{structure_id}", response_model=StructureRead)
    async def get_structure(structure_id: int) -> StructureRead:
        async with runtime.unit_of_work() as uow:
            return structure_read(await get_one(uow.session, Structure, structure_id, *STRUCTURE_LOAD))

    @router.patch("/{structure_id}", response_model=StructureRead, dependencies=[Depends(runtime.auth.admin)])
    async def update_structure(structure_id: int, body: StructureUpdate) -> StructureRead:
        command = structures.Update(structure_id, body.model_dump(exclude_unset=True))
        async with runtime.unit_of_work() as uow:
            return structure_read(await structures.update_structure(uow, command))

    @router.delete(
        "/{structure_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(runtime.auth.admin)]
    )
    async def delete_structure(structure_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await structures.delete_structure(uow, structure_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
