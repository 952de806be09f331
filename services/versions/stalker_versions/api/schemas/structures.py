"""Filename templates and structures."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stalker_shared.types import TEXT, Id, MultiLine, Name
from stalker_versions.api.schemas.common import Audit, Input
from stalker_versions.domain.context import EntityType
from stalker_versions.templates.sandbox import MAX_SOURCE

Template = Annotated[str, Field(min_length=1, max_length=4000, json_schema_extra=TEXT), MultiLine]
Folders = Annotated[str, Field(max_length=MAX_SOURCE, json_schema_extra=TEXT), MultiLine]
TEMPLATE_HELP = "Jinja2, rendered in a sandbox; checked with a dry render when saved"


class FilenameTemplateCreate(Input):
    name: Name
    target_entity_type: EntityType
    path: Template = Field(description=TEMPLATE_HELP)
    filename: Template = Field(description=TEMPLATE_HELP)


class FilenameTemplateUpdate(Input):
    name: Name | None = None
    target_entity_type: EntityType | None = None
    path: Template | None = None
    filename: Template | None = None


class FilenameTemplateRead(Audit):
    id: int
    name: str
    target_entity_type: EntityType
    path: str
    filename: str


class StructureCreate(Input):
    name: Name
    template_ids: list[Id] = Field(default=[], max_length=16)
    custom_template: Folders = Field(
        default="", description="One folder per line, relative to the project folder"
    )


class StructureUpdate(Input):
    name: Name | None = None
    template_ids: list[Id] | None = Field(None, max_length=16)
    custom_template: Folders | None = None


class StructureRead(Audit):
    id: int
    name: str
    template_ids: list[int]
    custom_template: str
