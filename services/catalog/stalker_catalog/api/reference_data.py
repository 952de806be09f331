"""Routes for statuses, status lists, types and image formats. Statuses and status lists are changed by
admins only; types and image formats by any logged-in user. Everyone logged in reads them all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select

from stalker_catalog.api.listing import (
    ListParams,
    ListSpec,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
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
    router = APIRouter(prefix="/v1/statuses", tags=["statuses"], dependencies=[Depends(runtime.auth.user)])
    admin = [Depends(runtime.auth.admin)]

    @router.get("", response_model=Page[StatusRead], description=STATUS_LIST.describe())
    async def list_statuses(
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[StatusRead] | JSONResponse:
        async with runtime.unit_of_work() as uow:
            rows, total = await fetch_page(uow.session, select(Status), STATUS_LIST, params)
        page = make_page([StatusRead.model_validate(s) for s in rows], total, params)
        return page_response(page, params, StatusRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=StatusRead, dependencies=admin)
    async def create_status(body: StatusCreate) -> StatusRead:
        command = reference_data.CreateStatus(body.name, body.code, body.description)
        async with runtime.unit_of_work() as uow:
            return StatusRead.model_validate(await reference_data.create_status(uow, command))

    @router.get("/{status_id}", response_model=StatusRead)
    async def get_status(status_id: int) -> StatusRead:
        async with runtime.unit_of_work() as uow:
            return StatusRead.model_validate(await get_one(uow.session, Status, status_id))

    @router.patch("/{status_id}", response_model=StatusRead, dependencies=admin)
    async def update_status(status_id: int, body: StatusUpdate) -> StatusRead:
        async with runtime.unit_of_work() as uow:
            updated = await reference_data.update_status(uow, status_id, changes_of(body))
            return StatusRead.model_validate(updated)

    @router.delete("/{status_id}", status_code=NO_CONTENT, dependencies=admin)
    async def delete_status(status_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await reference_data.delete_status(uow, status_id)
        return Response(status_code=NO_CONTENT)

    return router


def status_lists_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(
        prefix="/v1/status-lists", tags=["status lists"], dependencies=[Depends(runtime.auth.user)]
    )
    admin = [Depends(runtime.auth.admin)]

    @router.get("", response_model=Page[StatusListRead], description=STATUS_LIST_LIST.describe())
    async def list_status_lists(
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[StatusListRead] | JSONResponse:
        statement = select(StatusList).options(*STATUS_LIST_LOAD)
        async with runtime.unit_of_work() as uow:
            rows, total = await fetch_page(uow.session, statement, STATUS_LIST_LIST, params)
        page = make_page([status_list_read(s) for s in rows], total, params)
        return page_response(page, params, StatusListRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=StatusListRead, dependencies=admin)
    async def create_status_list(body: StatusListCreate) -> StatusListRead:
        command = reference_data.CreateStatusList(
            name=body.name,
            target_entity_type=body.target_entity_type,
            status_ids=tuple(body.status_ids),
            is_default=body.is_default,
            description=body.description,
        )
        async with runtime.unit_of_work() as uow:
            return status_list_read(await reference_data.create_status_list(uow, command))

    @router.get("/{status_list_id}", response_model=StatusListRead)
    async def get_status_list(status_list_id: int) -> StatusListRead:
        async with runtime.unit_of_work() as uow:
            return status_list_read(await get_one(uow.session, StatusList, status_list_id, *STATUS_LIST_LOAD))

    @router.patch("/{status_list_id}", response_model=StatusListRead, dependencies=admin)
    async def update_status_list(status_list_id: int, body: StatusListUpdate) -> StatusListRead:
        async with runtime.unit_of_work() as uow:
            updated = await reference_data.update_status_list(uow, status_list_id, changes_of(body))
            return status_list_read(updated)

    @router.delete("/{status_list_id}", status_code=NO_CONTENT, dependencies=admin)
    async def delete_status_list(status_list_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await reference_data.delete_status_list(uow, status_list_id)
        return Response(status_code=NO_CONTENT)

    return router


def types_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/types", tags=["types"], dependencies=[Depends(runtime.auth.user)])

    @router.get("", response_model=Page[TypeRead], description=TYPE_LIST.describe())
    async def list_types(
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[TypeRead] | JSONResponse:
        async with runtime.unit_of_work() as uow:
            rows, total = await fetch_page(uow.session, select(EntityType), TYPE_LIST, params)
        return page_response(
            make_page([TypeRead.model_validate(t) for t in rows], total, params), params, TypeRead
        )

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=TypeRead)
    async def create_type(body: TypeCreate) -> TypeRead:
        command = vocabulary.CreateType(body.name, body.target_entity_type, body.code, body.description)
        async with runtime.unit_of_work() as uow:
            return TypeRead.model_validate(await vocabulary.create_type(uow, command))

    @router.get("/{type_id}", response_model=TypeRead)
    async def get_type(type_id: int) -> TypeRead:
        async with runtime.unit_of_work() as uow:
            return TypeRead.model_validate(await get_one(uow.session, EntityType, type_id))

    @router.patch("/{type_id}", response_model=TypeRead)
    async def update_type(type_id: int, body: TypeUpdate) -> TypeRead:
        async with runtime.unit_of_work() as uow:
            return TypeRead.model_validate(await vocabulary.update_type(uow, type_id, changes_of(body)))

    @router.delete("/{type_id}", status_code=NO_CONTENT)
    async def delete_type(type_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await vocabulary.delete_type(uow, type_id)
        return Response(status_code=NO_CONTENT)

    return router


def image_formats_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(
        prefix="/v1/image-formats", tags=["image formats"], dependencies=[Depends(runtime.auth.user)]
    )

    @router.get("", response_model=Page[ImageFormatRead], description=IMAGE_FORMAT_LIST.describe())
    async def list_image_formats(
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[ImageFormatRead] | JSONResponse:
        async with runtime.unit_of_work() as uow:
            rows, total = await fetch_page(uow.session, select(ImageFormat), IMAGE_FORMAT_LIST, params)
        page = make_page([image_format_read(f) for f in rows], total, params)
        return page_response(page, params, ImageFormatRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=ImageFormatRead)
    async def create_image_format(body: ImageFormatCreate) -> ImageFormatRead:
        command = vocabulary.CreateImageFormat(**body.model_dump())
        async with runtime.unit_of_work() as uow:
            return image_format_read(await vocabulary.create_image_format(uow, command))

    @router.get("/{format_id}", response_model=ImageFormatRead)
    async def get_image_format(format_id: int) -> ImageFormatRead:
        async with runtime.unit_of_work() as uow:
            return image_format_read(await get_one(uow.session, ImageFormat, format_id))

    @router.patch("/{format_id}", response_model=ImageFormatRead)
    async def update_image_format(format_id: int, body: ImageFormatUpdate) -> ImageFormatRead:
        async with runtime.unit_of_work() as uow:
            return image_format_read(await vocabulary.update_image_format(uow, format_id, changes_of(body)))

    @router.delete("/{format_id}", status_code=NO_CONTENT)
    async def delete_image_format(format_id: int) -> Response:
        async with runtime.unit_of_work() as uow:
            await vocabulary.delete_image_format(uow, format_id)
        return Response(status_code=NO_CONTENT)

    return router
