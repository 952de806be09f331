"""Routes for statuses, status lists, types and image formats. Statuses and status lists are changed by
admins only; types and image formats by admins and producers. Everyone logged in reads them all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select

from stalker_catalog.api.schemas.reference_data import (
    ImageFormatCreate,
    ImageFormatRead,
    ImageFormatUpdate,
    StatusCreate,
    StatusListCreate,
    StatusListRead,
    StatusListUpdate,
    StatusRead,
    StatusUpdate,
    TypeCreate,
    TypeRead,
    TypeUpdate,
)
from stalker_catalog.db.models import STATUS_LIST_LOAD, EntityType, ImageFormat, Status, StatusList
from stalker_catalog.db.repository import get_one
from stalker_catalog.service import reference_data, vocabulary
from stalker_shared.listing import (
    ListParams,
    ListSpec,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import Work, admin, reference_editor
from stalker_shared.runtime import Runtime

STATUS_LIST = ListSpec({"id": Status.id, "name": Status.name, "code": Status.code})
STATUS_LIST_LIST = ListSpec(
    {
        "id": StatusList.id,
        "name": StatusList.name,
        "target_entity_type": StatusList.target_entity_type,
        "is_default": StatusList.is_default,
    }
)
TYPE_LIST = ListSpec(
    {
        "id": EntityType.id,
        "name": EntityType.name,
        "code": EntityType.code,
        "target_entity_type": EntityType.target_entity_type,
    }
)
IMAGE_FORMAT_LIST = ListSpec(
    {
        "id": ImageFormat.id,
        "name": ImageFormat.name,
        "width": ImageFormat.width,
        "height": ImageFormat.height,
    }
)
NO_CONTENT = status.HTTP_204_NO_CONTENT


def audit_of(entity: Any) -> dict[str, Any]:
    return {"revision": entity.revision, "created_at": entity.created_at, "updated_at": entity.updated_at}


def changes_of(body: BaseModel, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH body sets; an explicit null only counts for the fields that may be cleared."""
    return {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k in nullable}


def status_list_read(status_list: StatusList) -> StatusListRead:
    statuses = list(status_list.statuses)
    return StatusListRead.model_validate(
        {
            **audit_of(status_list),
            **{k: getattr(status_list, k) for k in ("id", "name", "description", "target_entity_type")},
            "is_default": status_list.is_default,
            "status_ids": [s.id for s in statuses],
            "status_codes": [s.code for s in statuses],
        }
    )


def image_format_read(image_format: ImageFormat) -> ImageFormatRead:
    fields = ("id", "name", "description", "width", "height", "pixel_aspect", "print_resolution")
    return ImageFormatRead.model_validate(
        {
            **audit_of(image_format),
            **{k: getattr(image_format, k) for k in fields},
            "device_aspect": vocabulary.device_aspect(image_format),
        }
    )


def statuses_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/statuses", tags=["statuses"])
    admin_only = [Depends(admin)]

    @router.get("", response_model=Page[StatusRead], description=STATUS_LIST.describe())
    async def list_statuses(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[StatusRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(Status), STATUS_LIST, params)
        page = make_page([StatusRead.model_validate(s) for s in rows], total, params)
        return page_response(page, params, StatusRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=StatusRead, dependencies=admin_only)
    async def create_status(uow: Work, body: StatusCreate) -> StatusRead:
        command = reference_data.CreateStatus(body.name, body.code, body.description)
        return StatusRead.model_validate(await reference_data.create_status(uow, command))

    @router.get("/{status_id}", response_model=StatusRead)
    async def get_status(uow: Work, status_id: int) -> StatusRead:
        return StatusRead.model_validate(await get_one(uow.session, Status, status_id))

    @router.patch("/{status_id}", response_model=StatusRead, dependencies=admin_only)
    async def update_status(uow: Work, status_id: int, body: StatusUpdate) -> StatusRead:
        updated = await reference_data.update_status(uow, status_id, changes_of(body))
        return StatusRead.model_validate(updated)

    @router.delete("/{status_id}", status_code=NO_CONTENT, dependencies=admin_only)
    async def delete_status(uow: Work, status_id: int) -> Response:
        await reference_data.delete_status(uow, status_id)
        return Response(status_code=NO_CONTENT)

    return router


def status_lists_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/status-lists", tags=["status lists"])
    admin_only = [Depends(admin)]

    @router.get("", response_model=Page[StatusListRead], description=STATUS_LIST_LIST.describe())
    async def list_status_lists(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[StatusListRead] | JSONResponse:
        statement = select(StatusList).options(*STATUS_LIST_LOAD)
        rows, total = await fetch_page(uow.session, statement, STATUS_LIST_LIST, params)
        page = make_page([status_list_read(s) for s in rows], total, params)
        return page_response(page, params, StatusListRead)

    @router.post(
        "", status_code=status.HTTP_201_CREATED, response_model=StatusListRead, dependencies=admin_only
    )
    async def create_status_list(uow: Work, body: StatusListCreate) -> StatusListRead:
        command = reference_data.CreateStatusList(
            name=body.name,
            target_entity_type=body.target_entity_type,
            status_ids=tuple(body.status_ids),
            is_default=body.is_default,
            description=body.description,
        )
        return status_list_read(await reference_data.create_status_list(uow, command))

    @router.get("/{status_list_id}", response_model=StatusListRead)
    async def get_status_list(uow: Work, status_list_id: int) -> StatusListRead:
        return status_list_read(await get_one(uow.session, StatusList, status_list_id, *STATUS_LIST_LOAD))

    @router.patch("/{status_list_id}", response_model=StatusListRead, dependencies=admin_only)
    async def update_status_list(uow: Work, status_list_id: int, body: StatusListUpdate) -> StatusListRead:
        updated = await reference_data.update_status_list(uow, status_list_id, changes_of(body))
        return status_list_read(updated)

    @router.delete("/{status_list_id}", status_code=NO_CONTENT, dependencies=admin_only)
    async def delete_status_list(uow: Work, status_list_id: int) -> Response:
        await reference_data.delete_status_list(uow, status_list_id)
        return Response(status_code=NO_CONTENT)

    return router


def types_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/types", tags=["types"])
    editors = [Depends(reference_editor)]

    @router.get("", response_model=Page[TypeRead], description=TYPE_LIST.describe())
    async def list_types(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[TypeRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(EntityType), TYPE_LIST, params)
        return page_response(
            make_page([TypeRead.model_validate(t) for t in rows], total, params), params, TypeRead
        )

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=TypeRead, dependencies=editors)
    async def create_type(uow: Work, body: TypeCreate) -> TypeRead:
        command = vocabulary.CreateType(body.name, body.target_entity_type, body.code, body.description)
        return TypeRead.model_validate(await vocabulary.create_type(uow, command))

    @router.get("/{type_id}", response_model=TypeRead)
    async def get_type(uow: Work, type_id: int) -> TypeRead:
        return TypeRead.model_validate(await get_one(uow.session, EntityType, type_id))

    @router.patch("/{type_id}", response_model=TypeRead, dependencies=editors)
    async def update_type(uow: Work, type_id: int, body: TypeUpdate) -> TypeRead:
        return TypeRead.model_validate(await vocabulary.update_type(uow, type_id, changes_of(body)))

    @router.delete("/{type_id}", status_code=NO_CONTENT, dependencies=editors)
    async def delete_type(uow: Work, type_id: int) -> Response:
        await vocabulary.delete_type(uow, type_id)
        return Response(status_code=NO_CONTENT)

    return router


def image_formats_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/image-formats", tags=["image formats"])
    editors = [Depends(reference_editor)]

    @router.get("", response_model=Page[ImageFormatRead], description=IMAGE_FORMAT_LIST.describe())
    async def list_image_formats(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[ImageFormatRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(ImageFormat), IMAGE_FORMAT_LIST, params)
        page = make_page([image_format_read(f) for f in rows], total, params)
        return page_response(page, params, ImageFormatRead)

    @router.post(
        "", status_code=status.HTTP_201_CREATED, response_model=ImageFormatRead, dependencies=editors
    )
    async def create_image_format(uow: Work, body: ImageFormatCreate) -> ImageFormatRead:
        command = vocabulary.CreateImageFormat(**body.model_dump())
        return image_format_read(await vocabulary.create_image_format(uow, command))

    @router.get("/{format_id}", response_model=ImageFormatRead)
    async def get_image_format(uow: Work, format_id: int) -> ImageFormatRead:
        return image_format_read(await get_one(uow.session, ImageFormat, format_id))

    @router.patch("/{format_id}", response_model=ImageFormatRead, dependencies=editors)
    async def update_image_format(uow: Work, format_id: int, body: ImageFormatUpdate) -> ImageFormatRead:
        return image_format_read(await vocabulary.update_image_format(uow, format_id, changes_of(body)))

    @router.delete("/{format_id}", status_code=NO_CONTENT, dependencies=editors)
    async def delete_image_format(uow: Work, format_id: int) -> Response:
        await vocabulary.delete_image_format(uow, format_id)
        return Response(status_code=NO_CONTENT)

    return router
