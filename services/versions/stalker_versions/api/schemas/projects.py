"""Projects as this service knows them, their storage and their default folders."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from stalker_shared.types import Id
from stalker_versions.api.schemas.common import Input, Output
from stalker_versions.domain.paths import OperatingSystem


class ProjectRefRead(Output):
    id: int
    name: str
    code: str
    revision: int


class StorageIn(Input):
    repository_ids: list[Id] = Field(max_length=32, description='In order; the first is "the" repository')
    structure_id: Id | None = None


class StorageRead(Output):
    project_id: int
    repository_ids: list[int]
    repository_id: int | None = Field(description="The project's repository: the first of repository_ids")
    structure_id: int | None
    revision: int
    updated_at: datetime


class DirectoriesRead(Output):
    project_id: int
    os: OperatingSystem
    root: str = Field(description="The project's folder: its repository's root and its code")
    directories: list[str]
