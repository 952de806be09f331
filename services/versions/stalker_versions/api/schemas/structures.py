"""Filename templates and structures."""

from __future__ import annotations

from pydantic import Field

from stalker_versions.api.schemas.common import Audit, Input
from stalker_versions.domain.context import EntityType
from stalker_versions.templates.sandbox import MAX_SOURCE

Name = Field(min_length=1, max_length=256)
TEMPLATE_HELP = "Jinja2, rendered in a sandbox; checked with a dry render when saved"


class FilenameTemplateCreate(Input):
    name: str = Name
    target_entity_type: EntityType
    path: str = Field(min_length=1, max_length=4000, description=TEMPLATE_HELP)
    filename: str = Field(min_length=1, max_length=4000, description=TEMPLATE_HELP)


class FilenameTemplateUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    target_entity_type: EntityType | None = None
    path: str | None = Field(None, min_length=1, max_length=4000)
    filename: str | None = Field(None, min_length=1, max_length=4000)


class FilenameTemplateRead(Audit):
    id: int
    name: str
    target_entity_type: EntityType
    path: str
    filename: str


class StructureCreate(Input):
    name: str = Name
    template_ids: list[int] = Field(default=[], max_length=16)
    custom_template: str = Field(
        default="", max_length=MAX_SOURCE, description="One folder per line, relative to the project folder"
    )


class StructureUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    template_ids: list[int] | None = Field(None, max_length=16)
    custom_template: str | None = Field(None, max_length=MAX_SOURCE)


class StructureRead(Audit):
    id: int
    name: str
    template_ids: list[int]
    custom_template: str
