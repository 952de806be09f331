"""Statuses, status lists, types and image formats."""

from __future__ import annotations

from pydantic import Field

from stalker_catalog.api.schemas.common import Audit, Input

Name = Field(min_length=1, max_length=256)
Target = Field(
    min_length=1, max_length=64, description="Entity type the item is for: Project, Task, Asset..."
)


class StatusCreate(Input):
    name: str = Name
    code: str = Field(min_length=1, max_length=16, description="Unique, case-insensitively")
    description: str = ""


class StatusUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    code: str | None = Field(None, min_length=1, max_length=16)
    description: str | None = None


class StatusRead(Audit):
    id: int
    name: str
    code: str
    description: str


class StatusListCreate(Input):
    name: str = Name
    description: str = ""
    target_entity_type: str = Target
    is_default: bool = Field(False, description="The list new members of the target type get; one per type")
    status_ids: list[int] = Field(min_length=1, description="In order; the first is a new member's status")


class StatusListUpdate(Input):
    """The target entity type is fixed once the list exists."""

    name: str | None = Field(None, min_length=1, max_length=256)
    description: str | None = None
    is_default: bool | None = None
    status_ids: list[int] | None = Field(None, min_length=1)


class StatusListRead(Audit):
    id: int
    name: str
    description: str
    target_entity_type: str
    is_default: bool
    status_ids: list[int]
    status_codes: list[str]


class TypeCreate(Input):
    name: str = Name
    code: str | None = Field(None, min_length=1, max_length=256, description="Defaults to the name")
    description: str = ""
    target_entity_type: str = Target


class TypeUpdate(Input):
    """The target entity type is fixed once the type exists."""

    name: str | None = Field(None, min_length=1, max_length=256)
    code: str | None = Field(None, min_length=1, max_length=256)
    description: str | None = None


class TypeRead(Audit):
    id: int
    name: str
    code: str
    description: str
    target_entity_type: str


class ImageFormatCreate(Input):
    name: str = Name
    description: str = ""
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    pixel_aspect: float = Field(1.0, gt=0)
    print_resolution: float = Field(300.0, gt=0)


class ImageFormatUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    description: str | None = None
    width: int | None = Field(None, gt=0)
    height: int | None = Field(None, gt=0)
    pixel_aspect: float | None = Field(None, gt=0)
    print_resolution: float | None = Field(None, gt=0)


class ImageFormatRead(Audit):
    id: int
    name: str
    description: str
    width: int
    height: int
    pixel_aspect: float
    print_resolution: float
    device_aspect: float = Field(description="width / height * pixel_aspect")
