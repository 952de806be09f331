"""Statuses, status lists, types and image formats."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stalker_catalog.api.schemas.common import Audit, Input
from stalker_shared.types import LINE, Ids, Name, Positive, SingleLine, Text, Word

Target = Field(description="Entity type the item is for: Project, Task, Asset...")
StatusCode = Annotated[str, Field(min_length=1, max_length=16, json_schema_extra=LINE), SingleLine]
PIXELS_MAX = 1_000_000


class StatusCreate(Input):
    name: Name
    code: StatusCode = Field(description="Unique, case-insensitively")
    description: Text = ""


class StatusUpdate(Input):
    name: Name | None = None
    code: StatusCode | None = None
    description: Text | None = None


class StatusRead(Audit):
    id: int
    name: str
    code: str
    description: str


class StatusListCreate(Input):
    name: Name
    description: Text = ""
    target_entity_type: Word = Target
    is_default: bool = Field(False, description="The list new members of the target type get; one per type")
    status_ids: Ids = Field(min_length=1, description="In order; the first is a new member's status")


class StatusListUpdate(Input):
    """The target entity type is fixed once the list exists."""

    name: Name | None = None
    description: Text | None = None
    is_default: bool | None = None
    status_ids: Ids | None = Field(None, min_length=1)


class StatusListRead(Audit):
    id: int
    name: str
    description: str
    target_entity_type: str
    is_default: bool
    status_ids: list[int]
    status_codes: list[str]


class TypeCreate(Input):
    name: Name
    code: Name | None = Field(None, description="Defaults to the name")
    description: Text = ""
    target_entity_type: Word = Target


class TypeUpdate(Input):
    """The target entity type is fixed once the type exists."""

    name: Name | None = None
    code: Name | None = None
    description: Text | None = None


class TypeRead(Audit):
    id: int
    name: str
    code: str
    description: str
    target_entity_type: str


class ImageFormatCreate(Input):
    name: Name
    description: Text = ""
    width: int = Field(gt=0, le=PIXELS_MAX)
    height: int = Field(gt=0, le=PIXELS_MAX)
    pixel_aspect: Positive = 1.0
    print_resolution: Positive = 300.0


class ImageFormatUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    width: int | None = Field(None, gt=0, le=PIXELS_MAX)
    height: int | None = Field(None, gt=0, le=PIXELS_MAX)
    pixel_aspect: Positive | None = None
    print_resolution: Positive | None = None


class ImageFormatRead(Audit):
    id: int
    name: str
    description: str
    width: int
    height: int
    pixel_aspect: float
    print_resolution: float
    device_aspect: float = Field(description="width / height * pixel_aspect")
