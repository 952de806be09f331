"""Routes for filename templates and structures: changed by admins, read by any user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
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

TEMPLATE_LIST = ListSpec(
    {
        "id": FilenameTemplate.id,
        "name": FilenameTemplate.name,
        "target_entity_type": FilenameTemplate.target_entity_type,
        "path": FilenameTemplate.path,
        "filename": FilenameTemplate.filename,
        "created_by_id": FilenameTemplate.created_by_id,
    }
)
STRUCTURE_LIST = ListSpec(
    {
        "id": Structure.id,
        "name": Structure.name,
        "custom_template": Structure.custom_template,
        "created_by_id": Structure.created_by_id,
    }
)


def structure_read(structure: Structure) -> StructureRead:
    return StructureRead.model_validate(
        {
            **{k: getattr(structure, k) for k in StructureRead.model_fields if k != "template_ids"},
            "template_ids": [t.id for t in structure.templates],
        }
    )


templates = APIRouter(prefix="/v1/filename-templates", tags=["filename templates"])


@templates.get("", response_model=Page[FilenameTemplateRead], description=TEMPLATE_LIST.describe())
async def list_templates(
    uow: Work, params: Annotated[ListParams, Depends(list_params)]
) -> Page[FilenameTemplateRead] | JSONResponse:
    rows, total = await fetch_page(uow.session, select(FilenameTemplate), TEMPLATE_LIST, params)
    items = [FilenameTemplateRead.model_validate(t) for t in rows]
    return page_response(make_page(items, total, params), params, FilenameTemplateRead)


@templates.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FilenameTemplateRead,
    dependencies=[Depends(admin)],
)
async def create_template(uow: Work, body: FilenameTemplateCreate) -> FilenameTemplateRead:
    command = structures.CreateFilenameTemplate(**body.model_dump(), created_by_id=uow.access.user_id)
    return FilenameTemplateRead.model_validate(await structures.create_filename_template(uow, command))


@templates.get("/{template_id}", response_model=FilenameTemplateRead)
async def get_template(uow: Work, template_id: int) -> FilenameTemplateRead:
    return FilenameTemplateRead.model_validate(await get_one(uow.session, FilenameTemplate, template_id))


@templates.patch("/{template_id}", response_model=FilenameTemplateRead, dependencies=[Depends(admin)])
async def update_template(uow: Work, template_id: int, body: FilenameTemplateUpdate) -> FilenameTemplateRead:
    command = structures.Update(template_id, body.model_dump(exclude_unset=True))
    return FilenameTemplateRead.model_validate(await structures.update_filename_template(uow, command))


@templates.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(admin)])
async def delete_template(uow: Work, template_id: int) -> Response:
    await structures.delete_filename_template(uow, template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router = APIRouter(prefix="/v1/structures", tags=["structures"])


@router.get("", response_model=Page[StructureRead], description=STRUCTURE_LIST.describe())
async def list_structures(
    uow: Work, params: Annotated[ListParams, Depends(list_params)]
) -> Page[StructureRead] | JSONResponse:
    statement = select(Structure).options(*STRUCTURE_LOAD)
    rows, total = await fetch_page(uow.session, statement, STRUCTURE_LIST, params)
    return page_response(make_page([structure_read(s) for s in rows], total, params), params, StructureRead)


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=StructureRead, dependencies=[Depends(admin)]
)
async def create_structure(uow: Work, body: StructureCreate) -> StructureRead:
    command = structures.CreateStructure(
        name=body.name,
        template_ids=tuple(body.template_ids),
        custom_template=body.custom_template,
        created_by_id=uow.access.user_id,
    )
    return structure_read(await structures.create_structure(uow, command))


@router.get("/{structure_id}", response_model=StructureRead)
async def get_structure(uow: Work, structure_id: int) -> StructureRead:
    return structure_read(await get_one(uow.session, Structure, structure_id, *STRUCTURE_LOAD))


@router.patch("/{structure_id}", response_model=StructureRead, dependencies=[Depends(admin)])
async def update_structure(uow: Work, structure_id: int, body: StructureUpdate) -> StructureRead:
    command = structures.Update(structure_id, body.model_dump(exclude_unset=True))
    return structure_read(await structures.update_structure(uow, command))


@router.delete("/{structure_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(admin)])
async def delete_structure(uow: Work, structure_id: int) -> Response:
    await structures.delete_structure(uow, structure_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def filename_templates_router(_: Runtime) -> APIRouter:
    return templates


def structures_router(_: Runtime) -> APIRouter:
    return router
