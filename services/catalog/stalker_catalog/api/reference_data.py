"""Routes for statuses, status lists, types and image formats. Statuses and status lists are changed by
admins only; types and image formats by admins and producers. Everyone logged in reads them all."""

from __future__ import annotations

from typing import Any

from fastapi import status

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
from stalker_catalog.service import reference_data, vocabulary
from stalker_shared.listing import (
    ListSpec,
)
from stalker_shared.requests import reference_editor
from stalker_shared.resources import Resource
from stalker_shared.unit_of_work import UnitOfWork

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


async def _create_status(uow: UnitOfWork, body: StatusCreate) -> Any:
    return await reference_data.create_status(
        uow, reference_data.CreateStatus(body.name, body.code, body.description)
    )


async def _create_status_list(uow: UnitOfWork, body: StatusListCreate) -> Any:
    command = reference_data.CreateStatusList(
        name=body.name,
        target_entity_type=body.target_entity_type,
        status_ids=tuple(body.status_ids),
        is_default=body.is_default,
        description=body.description,
    )
    return await reference_data.create_status_list(uow, command)


async def _create_type(uow: UnitOfWork, body: TypeCreate) -> Any:
    command = vocabulary.CreateType(body.name, body.target_entity_type, body.code, body.description)
    return await vocabulary.create_type(uow, command)


async def _create_image_format(uow: UnitOfWork, body: ImageFormatCreate) -> Any:
    return await vocabulary.create_image_format(uow, vocabulary.CreateImageFormat(**body.model_dump()))


STATUSES = Resource(
    path="statuses",
    id_name="status_id",
    model=Status,
    read_schema=StatusRead,
    create_schema=StatusCreate,
    update_schema=StatusUpdate,
    list_spec=STATUS_LIST,
    create=_create_status,
    update=reference_data.update_status,
    delete=reference_data.delete_status,
)
STATUS_LISTS = Resource(
    path="status-lists",
    id_name="status_list_id",
    model=StatusList,
    read_schema=StatusListRead,
    create_schema=StatusListCreate,
    update_schema=StatusListUpdate,
    list_spec=STATUS_LIST_LIST,
    create=_create_status_list,
    update=reference_data.update_status_list,
    delete=reference_data.delete_status_list,
    read=status_list_read,
    load=STATUS_LIST_LOAD,
)
TYPES = Resource(
    path="types",
    id_name="type_id",
    model=EntityType,
    read_schema=TypeRead,
    create_schema=TypeCreate,
    update_schema=TypeUpdate,
    list_spec=TYPE_LIST,
    create=_create_type,
    update=vocabulary.update_type,
    delete=vocabulary.delete_type,
    writers=reference_editor,
)
IMAGE_FORMATS = Resource(
    path="image-formats",
    id_name="format_id",
    model=ImageFormat,
    read_schema=ImageFormatRead,
    create_schema=ImageFormatCreate,
    update_schema=ImageFormatUpdate,
    list_spec=IMAGE_FORMAT_LIST,
    create=_create_image_format,
    update=vocabulary.update_image_format,
    delete=vocabulary.delete_image_format,
    read=image_format_read,
    writers=reference_editor,
)
REFERENCE_DATA = (STATUSES, STATUS_LISTS, TYPES, IMAGE_FORMATS)
