"""Routes for filename templates and structures: changed by admins, read by any user."""

from __future__ import annotations

from typing import Any

from stalker_shared.listing import ListSpec
from stalker_shared.resources import Resource
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.api.schemas.structures import (
    FilenameTemplateCreate,
    FilenameTemplateRead,
    FilenameTemplateUpdate,
    StructureCreate,
    StructureRead,
    StructureUpdate,
)
from stalker_versions.db.models import FilenameTemplate, Structure
from stalker_versions.db.queries import STRUCTURE_LOAD
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


async def _create_template(uow: UnitOfWork, body: FilenameTemplateCreate) -> FilenameTemplate:
    command = structures.CreateFilenameTemplate(**body.model_dump(), created_by_id=uow.access.user_id)
    return await structures.create_filename_template(uow, command)


async def _update_template(uow: UnitOfWork, template_id: Id, changes: dict[str, Any]) -> FilenameTemplate:
    return await structures.update_filename_template(uow, structures.Update(template_id, changes))


async def _create_structure(uow: UnitOfWork, body: StructureCreate) -> Structure:
    command = structures.CreateStructure(
        name=body.name,
        template_ids=tuple(body.template_ids),
        custom_template=body.custom_template,
        created_by_id=uow.access.user_id,
    )
    return await structures.create_structure(uow, command)


async def _update_structure(uow: UnitOfWork, structure_id: Id, changes: dict[str, Any]) -> Structure:
    return await structures.update_structure(uow, structures.Update(structure_id, changes))


# PATCH bodies pass every field they set, nulls included (the handlers decide what a null means).
FILENAME_TEMPLATES = Resource(
    path="filename-templates",
    id_name="template_id",
    model=FilenameTemplate,
    read_schema=FilenameTemplateRead,
    create_schema=FilenameTemplateCreate,
    update_schema=FilenameTemplateUpdate,
    list_spec=TEMPLATE_LIST,
    create=_create_template,
    update=_update_template,
    delete=structures.delete_filename_template,
    nullable=frozenset(FilenameTemplateUpdate.model_fields),
    tag="filename templates",
)
STRUCTURES = Resource(
    path="structures",
    id_name="structure_id",
    model=Structure,
    read_schema=StructureRead,
    create_schema=StructureCreate,
    update_schema=StructureUpdate,
    list_spec=STRUCTURE_LIST,
    create=_create_structure,
    update=_update_structure,
    delete=structures.delete_structure,
    read=structure_read,
    load=STRUCTURE_LOAD,
    nullable=frozenset(StructureUpdate.model_fields),
)
