"""Repositories and paths."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from stalker_versions.api.schemas.common import Audit, Input, Output
from stalker_versions.domain.paths import OperatingSystem

Name = Field(min_length=1, max_length=256)
Root = Field(
    None, max_length=1024, description="Absolute; backslashes accepted, stored with / and a trailing /"
)


class RepositoryCreate(Input):
    name: str = Name
    code: str | None = Field(
        None,
        max_length=64,
        description="Letters, digits and _, starting with a letter; derived from the name if unset",
    )
    linux_path: str | None = Root
    macos_path: str | None = Field(
        None,
        max_length=1024,
        validation_alias=AliasChoices("macos_path", "osx_path"),
        description="(or osx_path)",
    )
    windows_path: str | None = Root


class RepositoryUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    code: str | None = Field(None, max_length=64)
    linux_path: str | None = Root
    macos_path: str | None = Field(
        None, max_length=1024, validation_alias=AliasChoices("macos_path", "osx_path")
    )
    windows_path: str | None = Root


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
    path: str = Field(
        min_length=1, max_length=4096, description="Any OS's form, or starting with $REPO<id|code>"
    )


class PortablePath(Output):
    path: str = Field(description="$REPO<id>/relative")
    repository_id: int


class ExpandedPath(Output):
    path: str
    os: OperatingSystem
    repository_id: int | None = Field(description="The repository the variable named, if any")
