"""Handlers for types (asset types and the like) and image formats: one transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stalker_catalog.db import vocabulary_queries
from stalker_catalog.db.models import EntityType, ImageFormat, Project, Task
from stalker_catalog.db.repository import get_one, name_holder
from stalker_catalog.domain.errors import Conflict
from stalker_catalog.domain.names import normalize_name
from stalker_catalog.service.events import touch
from stalker_catalog.service.reference_data import referenced_by, refuse_if_referenced, target_entity_type
from stalker_shared.contracts.catalog import (
    EntityTypeCreated,
    EntityTypeDeleted,
    EntityTypeUpdated,
    ImageFormatCreated,
    ImageFormatDeleted,
    ImageFormatUpdated,
)
from stalker_shared.unit_of_work import UnitOfWork

# Types


@dataclass(frozen=True)
class CreateType:
    name: str
    target_entity_type: str
    code: str | None = None
    description: str = ""


async def create_type(uow: UnitOfWork, command: CreateType) -> EntityType:
    name = normalize_name(command.name)
    target = target_entity_type(command.target_entity_type)
    await _check_unique_type(uow, target, name)
    entity_type = EntityType(
        name=name,
        code=(command.code or name).strip(),
        description=command.description,
        target_entity_type=target,
    )
    uow.session.add(entity_type)
    await uow.session.flush()
    await uow.publish(EntityTypeCreated.model_validate(entity_type))
    return entity_type


async def update_type(uow: UnitOfWork, type_id: int, changes: dict[str, Any]) -> EntityType:
    entity_type = await get_one(uow.session, EntityType, type_id, for_update=True)
    if "name" in changes:
        name = normalize_name(changes["name"])
        await _check_unique_type(uow, entity_type.target_entity_type, name, type_id)
        entity_type.name = name
    if "code" in changes:
        entity_type.code = changes["code"].strip()
    if "description" in changes:
        entity_type.description = changes["description"]
    touch(entity_type)
    await uow.session.flush()
    await uow.publish(EntityTypeUpdated.model_validate(entity_type))
    return entity_type


async def delete_type(uow: UnitOfWork, type_id: int) -> None:
    session = uow.session
    entity_type = await get_one(session, EntityType, type_id, for_update=True)
    found = await referenced_by(session, {"task": (Task.id, Task.type_id == type_id)})
    refuse_if_referenced(f"type {entity_type.name!r} (id {type_id})", found)
    revision = entity_type.revision
    await session.delete(entity_type)
    await session.flush()
    await uow.publish(EntityTypeDeleted(id=type_id, revision=revision + 1))


async def _check_unique_type(uow: UnitOfWork, target: str, name: str, own_id: int | None = None) -> None:
    clash = await vocabulary_queries.type_named(uow.session, target, name, own_id)
    if clash is not None:
        raise Conflict(f"a {target} type named {name!r} already exists (id {clash})", field="name")


# Image formats


@dataclass(frozen=True)
class CreateImageFormat:
    name: str
    width: int
    height: int
    pixel_aspect: float = 1.0
    print_resolution: float = 300.0
    description: str = ""


def device_aspect(image_format: ImageFormat) -> float:
    """Shape of the picture on the display: width / height * pixel aspect."""
    return image_format.width / image_format.height * image_format.pixel_aspect


async def create_image_format(uow: UnitOfWork, command: CreateImageFormat) -> ImageFormat:
    name = normalize_name(command.name)
    await _check_unique_format(uow, name)
    image_format = ImageFormat(
        name=name,
        description=command.description,
        width=command.width,
        height=command.height,
        pixel_aspect=command.pixel_aspect,
        print_resolution=command.print_resolution,
    )
    uow.session.add(image_format)
    await uow.session.flush()
    await uow.publish(ImageFormatCreated.model_validate(image_format))
    return image_format


async def update_image_format(uow: UnitOfWork, format_id: int, changes: dict[str, Any]) -> ImageFormat:
    image_format = await get_one(uow.session, ImageFormat, format_id, for_update=True)
    changes = dict(changes)
    if "name" in changes:
        name = normalize_name(changes.pop("name"))
        await _check_unique_format(uow, name, format_id)
        image_format.name = name
    for key in ("description", "width", "height", "pixel_aspect", "print_resolution"):
        if key in changes:
            setattr(image_format, key, changes[key])
    touch(image_format)
    await uow.session.flush()
    await uow.publish(ImageFormatUpdated.model_validate(image_format))
    return image_format


async def delete_image_format(uow: UnitOfWork, format_id: int) -> None:
    session = uow.session
    image_format = await get_one(session, ImageFormat, format_id, for_update=True)
    found = await referenced_by(
        session,
        {
            "project": (Project.id, Project.image_format_id == format_id),
            "shot": (Task.id, Task.image_format_id == format_id),
        },
    )
    refuse_if_referenced(f"image format {image_format.name!r} (id {format_id})", found)
    revision = image_format.revision
    await session.delete(image_format)
    await session.flush()
    await uow.publish(ImageFormatDeleted(id=format_id, revision=revision + 1))


async def _check_unique_format(uow: UnitOfWork, name: str, own_id: int | None = None) -> None:
    clash = await name_holder(uow.session, ImageFormat, name, own_id)
    if clash is not None:
        raise Conflict(f"an image format named {name!r} already exists (id {clash})", field="name")
