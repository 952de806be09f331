"""Versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from stalker_shared.types import TEXT, BigId, MultiLine
from stalker_versions.api.schemas.common import Audit, Input
from stalker_versions.domain.paths import OperatingSystem
from stalker_versions.domain.version_paths import EXTENSION_PATTERN

TAKE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-@]*$"
DESCRIPTION_MAX = 5000
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX, json_schema_extra=TEXT), MultiLine]
VersionIds = Annotated[list[BigId], Field(max_length=1000)]


class VersionCreate(Input):
    take_name: str = Field(default="Main", max_length=64, pattern=TAKE_PATTERN)
    extension: str | None = Field(default=None, pattern=EXTENSION_PATTERN, description="`ma` or `.ma`")
    description: Description = ""
    parent_id: BigId | None = Field(default=None, description="The version this one derives from")
    input_ids: VersionIds = Field(default=[], description="Versions this one uses")
    output_ids: VersionIds = Field(default=[], description="Versions this one produced")


class VersionUpdate(Input):
    is_published: bool | None = None
    description: Description | None = None
    input_ids: VersionIds | None = None
    output_ids: VersionIds | None = None


class VersionRead(Audit):
    id: int
    project_id: int
    task_id: int
    take_name: str
    version_number: int
    nice_name: str
    path: str = Field(description="As stored: $REPO<id>/..., the same on every OS")
    filename: str
    extension: str
    full_path: str
    repository_id: int
    os: OperatingSystem = Field(description="The OS the absolute paths are given for")
    absolute_path: str | None = Field(description="None when the repository has no root on this OS")
    absolute_full_path: str | None
    is_published: bool
    published_at: datetime | None
    parent_id: int | None
    input_ids: list[int]
    output_ids: list[int]
    description: str
    template_id: int | None
