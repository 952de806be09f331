"""What the versions service returns: repositories, paths, templates, structures, storage, versions."""

from __future__ import annotations

from datetime import datetime

from stalker_client._model import Audited, Model


class _Created(Audited):
    created_by_id: int | None = None


class Repository(_Created):
    id: int
    name: str
    code: str
    linux_path: str | None
    macos_path: str | None
    windows_path: str | None
    variable: str
    code_variable: str

    @property
    def osx_path(self) -> str | None:
        return self.macos_path

    def path_for(self, os: str) -> str | None:
        """The root on `os` (linux, macos or windows), or None when it has none there."""
        roots = {"linux": self.linux_path, "macos": self.macos_path, "windows": self.windows_path}
        return roots[os]

    def __str__(self) -> str:
        return f"<{self.name} (Repository)>"


class PortablePath(Model):
    path: str
    repository_id: int


class ExpandedPath(Model):
    path: str
    os: str
    repository_id: int | None


class FilenameTemplate(_Created):
    id: int
    name: str
    target_entity_type: str
    path: str
    filename: str


class Structure(_Created):
    id: int
    name: str
    template_ids: list[int] = []
    custom_template: str = ""


class ProjectStorage(Model):
    project_id: int
    repository_ids: list[int]
    repository_id: int | None
    structure_id: int | None
    revision: int
    updated_at: datetime


class Directories(Model):
    project_id: int
    os: str
    root: str
    directories: list[str]


class Version(_Created):
    """A version with its stored paths ($REPO<id>/...) and the absolute ones for `os`."""

    id: int
    project_id: int
    task_id: int
    take_name: str
    version_number: int
    nice_name: str
    path: str
    filename: str
    extension: str = ""
    full_path: str
    repository_id: int
    os: str
    absolute_path: str | None
    absolute_full_path: str | None
    is_published: bool
    published_at: datetime | None = None
    parent_id: int | None = None
    input_ids: list[int] = []
    output_ids: list[int] = []
    description: str = ""
    template_id: int | None = None

    def __str__(self) -> str:
        return f"<{self.nice_name}_v{self.version_number:03d} (Version)>"
