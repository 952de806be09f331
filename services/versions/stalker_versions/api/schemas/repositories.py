"""Repositories and paths."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field

from stalker_shared.types import LINE, Name, SingleLine
from stalker_versions.api.schemas.common import Audit, Input, Output
from stalker_versions.domain.paths import OperatingSystem

RepositoryCode = Annotated[str, Field(max_length=64, json_schema_extra=LINE), SingleLine]
Root = Annotated[str, Field(max_length=1024, json_schema_extra=LINE), SingleLine]
ROOT_HELP = "Absolute; backslashes accepted, stored with / and a trailing /"


class RepositoryCreate(Input):
    name: Name
    code: RepositoryCode | None = Field(
        None, description="Letters, digits and _, starting with a letter; derived from the name if unset"
    )
    linux_path: Root | None = Field(None, description=ROOT_HELP)
    macos_path: Root | None = Field(
        None, validation_alias=AliasChoices("macos_path", "osx_path"), description="(or osx_path)"
    )
    windows_path: Root | None = Field(None, description=ROOT_HELP)


class RepositoryUpdate(Input):
    name: Name | None = None
    code: RepositoryCode | None = None
    linux_path: Root | None = Field(None, description=ROOT_HELP)
    macos_path: Root | None = Field(None, validation_alias=AliasChoices("macos_path", "osx_path"))
    windows_path: Root | None = Field(None, description=ROOT_HELP)


class RepositoryRead(Audit):
    id: int
    name: str
    code: str
    linux_path: str | None
    macos_path: str | None
    windows_path: str | None
    variable: str = Field(description="$REPO<id>, the form stored paths use")
    code_variable: str = Field(description="$REPO<code>, the Stalker 1.x form")


class RepositoryPath(Output):
    repository_id: int
    os: OperatingSystem
    path: str


class PathIn(Input):
    path: Annotated[str, Field(min_length=1, max_length=4096, json_schema_extra=LINE), SingleLine] = Field(
        description="Any OS's form, or starting with $REPO<id|code>"
    )


class PortablePath(Output):
    path: str = Field(description="$REPO<id>/relative")
    repository_id: int


class ExpandedPath(Output):
    path: str
    os: OperatingSystem
    repository_id: int | None = Field(description="The repository the variable named, if any")
