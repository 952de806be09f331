"""Repositories, path conversion, filename templates, structures and a project's storage."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from stalker_client._http import Session
from stalker_client._platform import OperatingSystem, current_os
from stalker_client._resources._base import Resource
from stalker_client._versions_models import (
    Directories,
    ExpandedPath,
    FilenameTemplate,
    PortablePath,
    ProjectStorage,
    Repository,
    Structure,
)

VERSIONS = "/versions/v1"


class Repositories(Resource[Repository]):
    """Repositories (file server roots per OS)."""

    path, model = f"{VERSIONS}/repositories", Repository

    def create(
        self,
        *,
        name: str,
        code: str | None = None,
        linux_path: str | None = None,
        macos_path: str | None = None,
        windows_path: str | None = None,
    ) -> Repository:
        """A repository; roots are stored with forward slashes and a trailing slash."""
        return self._create(
            {
                "name": name,
                "code": code,
                "linux_path": linux_path,
                "macos_path": macos_path,
                "windows_path": windows_path,
            }
        )

    def path_of(self, repository_id: int, os: OperatingSystem | None = None) -> str:
        """The repository's root on `os` (default: this computer's), the tutorial's `commercial_repo.path`."""
        params = {"os": os or current_os()}
        answer = self._session.request("GET", f"{self.path}/{repository_id}/path", params=params)
        return str(answer["path"])


class Paths:
    """Conversions between an OS's absolute paths and the portable `$REPO<id>/...` form."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def to_portable(self, path: str) -> PortablePath:
        answer = self._session.request("POST", f"{VERSIONS}/paths/to-portable", json={"path": path})
        return PortablePath.model_validate(answer)

    def expand(self, path: str, os: OperatingSystem | None = None) -> ExpandedPath:
        answer = self._session.request(
            "POST", f"{VERSIONS}/paths/expand", params={"os": os or current_os()}, json={"path": path}
        )
        return ExpandedPath.model_validate(answer)

    def repository_of(self, path: str) -> Repository:
        answer = self._session.request("POST", f"{VERSIONS}/paths/repository", json={"path": path})
        return Repository.model_validate(answer)


class FilenameTemplates(Resource[FilenameTemplate]):
    path, model = f"{VERSIONS}/filename-templates", FilenameTemplate

    def create(self, *, name: str, target_entity_type: str, path: str, filename: str) -> FilenameTemplate:
        """Jinja2 templates for the folder and the file name of versions of `target_entity_type`."""
        body = {"name": name, "target_entity_type": target_entity_type, "path": path, "filename": filename}
        return self._create(body)


class Structures(Resource[Structure]):
    path, model = f"{VERSIONS}/structures", Structure

    def create(self, *, name: str, template_ids: Sequence[int] = (), custom_template: str = "") -> Structure:
        """A project structure: its filename templates and default folders (one per line)."""
        body = {"name": name, "template_ids": list(template_ids), "custom_template": custom_template}
        return self._create(body)


class Storage:
    """Where a project's files go: its repositories (the first is "the" repository) and structure."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, project_id: int) -> ProjectStorage:
        answer = self._session.request("GET", f"{VERSIONS}/projects/{project_id}/storage")
        return ProjectStorage.model_validate(answer)

    def set(
        self, project_id: int, *, repository_ids: Sequence[int], structure_id: int | None = None
    ) -> ProjectStorage:
        body = {"repository_ids": list(repository_ids), "structure_id": structure_id}
        path = f"{VERSIONS}/projects/{project_id}/storage"
        answer = self._session.request("PUT", path, json=body, headers=self._session.etags.if_match(path))
        return ProjectStorage.model_validate(answer)

    def directories(self, project_id: int, os: OperatingSystem | None = None) -> Directories:
        """The project's default folders (its structure's custom template) as absolute paths on `os`."""
        params = {"os": os or current_os()}
        answer = self._session.request("GET", f"{VERSIONS}/projects/{project_id}/directories", params=params)
        return Directories.model_validate(answer)

    def make_directories(self, project_id: int, *, root: str | os.PathLike[str] | None = None) -> list[Path]:
        """Create the default folders on this computer; with `root`, under it instead of the repository's
        root (where the share is mounted elsewhere). Returns the folders, existing ones included."""
        listing = self.directories(project_id)
        folders = [listing.root, *listing.directories]
        if root is not None:
            repository_root = _repository_root(self._session, project_id)
            folders = [str(Path(root, f[len(repository_root) :].lstrip("/"))) for f in folders]
        made = [Path(f) for f in folders]
        for folder in made:
            folder.mkdir(parents=True, exist_ok=True)
        return made


def _repository_root(session: Session, project_id: int) -> str:
    storage = ProjectStorage.model_validate(
        session.request("GET", f"{VERSIONS}/projects/{project_id}/storage")
    )
    answer = session.request(
        "GET", f"{VERSIONS}/repositories/{storage.repository_id}/path", params={"os": current_os()}
    )
    return str(answer["path"]).rstrip("/")
