"""Routes for statuses, status lists, types and image formats. Statuses and status lists are changed by
admins only; types and image formats by admins and producers. Everyone logged in reads them all."""

from __future__ import annotations

from typing import Any

from fastapi import status

from stalker_catalog.api.read_models import (
    IMAGE_FORMAT_LIST,
    STATUS_LIST,
    STATUS_LIST_LIST,
    TYPE_LIST,
    image_format_read,
    status_list_read,
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
from stalker_catalog.service import reference_data, vocabulary
from stalker_shared.requests import reference_editor
from stalker_shared.resources import Resource
from stalker_shared.unit_of_work import UnitOfWork

NO_CONTENT = status.HTTP_204_NO_CONTENT


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
