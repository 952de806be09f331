"""Handlers for filename templates and structures. A template is checked in the sandbox before it is
stored; a structure holds at most one template per target entity type. Each runs in the unit of work it
is given, which its caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select

from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.models import FilenameTemplate, ProjectStorage, Structure, structure_template
from stalker_versions.db.queries import STRUCTURE_LOAD, get_many, get_one
from stalker_versions.domain.context import EntityType
from stalker_versions.domain.errors import Conflict, ValidationFailed
from stalker_versions.templates.checks import check_custom_template, check_filename_template
from stalker_versions.templates.offload import off_loop


@dataclass(frozen=True)
class CreateFilenameTemplate:
    name: str
    target_entity_type: EntityType
    path: str
    filename: str
    created_by_id: int | None = None


@dataclass(frozen=True)
class CreateStructure:
    name: str
    template_ids: tuple[int, ...] = ()
    custom_template: str = ""
    created_by_id: int | None = None


@dataclass(frozen=True)
class Update:
    """The fields a PATCH sets, by name."""

    entity_id: int
    changes: dict[str, Any] = field(default_factory=dict)


def _name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise ValidationFailed("name may not be empty", field="name")
    return name


def _one_per_type(templates: Sequence[FilenameTemplate]) -> None:
    seen: dict[str, int] = {}
    for template in templates:
        if template.target_entity_type in seen:
            raise ValidationFailed(
                f"templates {seen[template.target_entity_type]} and {template.id} both target "
                f"{template.target_entity_type}; a structure holds one template per entity type",
                field="template_ids",
            )
        seen[template.target_entity_type] = template.id


async def create_filename_template(uow: UnitOfWork, command: CreateFilenameTemplate) -> FilenameTemplate:
    await off_loop(check_filename_template, command.target_entity_type, command.path, command.filename)
    template = FilenameTemplate(
        name=_name(command.name),
        target_entity_type=command.target_entity_type,
        path=command.path,
        filename=command.filename,
        created_by_id=command.created_by_id,
    )
    uow.session.add(template)
    await uow.session.flush()
    return template


async def update_filename_template(uow: UnitOfWork, command: Update) -> FilenameTemplate:
    session = uow.session
    template = await get_one(session, FilenameTemplate, command.entity_id, for_update=True)
    changes = {k: v for k, v in command.changes.items() if v is not None}
    if "name" in changes:
        changes["name"] = _name(changes["name"])
    for key, value in changes.items():
        setattr(template, key, value)
    target: EntityType = template.target_entity_type  # type: ignore[assignment]
    await off_loop(check_filename_template, target, template.path, template.filename)
    if "target_entity_type" in changes:
        structures = await session.scalars(
            select(Structure)
            .join(structure_template, structure_template.c.structure_id == Structure.id)
            .where(structure_template.c.template_id == template.id)
            .options(*STRUCTURE_LOAD)
        )
        for structure in structures:
            _one_per_type(structure.templates)
    await session.flush()
    return template


async def delete_filename_template(uow: UnitOfWork, template_id: int) -> None:
    session = uow.session
    template = await get_one(session, FilenameTemplate, template_id, for_update=True)
    used_by = list(
        await session.scalars(
            select(structure_template.c.structure_id).where(structure_template.c.template_id == template_id)
        )
    )
    if used_by:
        raise Conflict(
            f"filename template {template_id} is used by structure(s) {', '.join(map(str, used_by))}",
            referenced_by={"structure_ids": used_by},
        )
    await session.delete(template)
    await session.flush()


async def _set_templates(uow: UnitOfWork, structure: Structure, template_ids: Sequence[int]) -> None:
    templates = await get_many(uow.session, FilenameTemplate, template_ids, "template_ids")
    _one_per_type(templates)
    await uow.session.execute(
        delete(structure_template).where(structure_template.c.structure_id == structure.id)
    )
    if templates:
        await uow.session.execute(
            insert(structure_template),
            [
                {"structure_id": structure.id, "template_id": t.id, "position": i}
                for i, t in enumerate(templates)
            ],
        )


async def _check_unique_name(uow: UnitOfWork, name: str, structure_id: int = -1) -> None:
    clash = await uow.session.scalar(
        select(Structure.id).where(Structure.name == name, Structure.id != structure_id)
    )
    if clash is not None:
        raise Conflict(f"name {name!r} is already used by structure {clash}", field="name")


async def create_structure(uow: UnitOfWork, command: CreateStructure) -> Structure:
    name = _name(command.name)
    await _check_unique_name(uow, name)
    await off_loop(check_custom_template, command.custom_template)
    structure = Structure(
        name=name, custom_template=command.custom_template, created_by_id=command.created_by_id
    )
    uow.session.add(structure)
    await uow.session.flush()
    await _set_templates(uow, structure, command.template_ids)
    return await get_one(uow.session, Structure, structure.id, *STRUCTURE_LOAD)


async def update_structure(uow: UnitOfWork, command: Update) -> Structure:
    session = uow.session
    structure = await get_one(session, Structure, command.entity_id, for_update=True)
    changes = {k: v for k, v in command.changes.items() if v is not None}
    if "name" in changes:
        structure.name = _name(changes["name"])
        await _check_unique_name(uow, structure.name, structure.id)
    if "custom_template" in changes:
        await off_loop(check_custom_template, changes["custom_template"])
        structure.custom_template = changes["custom_template"]
    if "template_ids" in changes:
        await _set_templates(uow, structure, changes["template_ids"])
    structure.updated_at = utcnow()  # the revision moves on even when only the templates changed
    await session.flush()
    return await get_one(session, Structure, structure.id, *STRUCTURE_LOAD)


async def delete_structure(uow: UnitOfWork, structure_id: int) -> None:
    session = uow.session
    structure = await get_one(session, Structure, structure_id, for_update=True)
    used_by = list(
        await session.scalars(
            select(ProjectStorage.project_id).where(ProjectStorage.structure_id == structure_id)
        )
    )
    if used_by:
        raise Conflict(
            f"structure {structure_id} is used by project(s) {', '.join(map(str, used_by[:20]))}",
            referenced_by={"project_ids": used_by[:20]},
        )
    await session.delete(structure)
    await session.flush()
