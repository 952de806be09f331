"""What a filename template or a structure sees when it is rendered, built from plain values.

Template authors reach: project (id, name, code, repository, repositories), task, parent_tasks (root
first, then the task), sequence, shot, asset, scene, type, and version (version_number, take_name,
nice_name)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from stalker_versions.domain.names import path_nice_name, version_nice_name
from stalker_versions.domain.paths import RepositoryRoots, id_variable

_T = TypeVar("_T")

EntityType = Literal["Task", "Asset", "Shot", "Sequence", "Scene"]
ENTITY_TYPES: dict[str, EntityType] = {
    "task": "Task",
    "asset": "Asset",
    "shot": "Shot",
    "sequence": "Sequence",
    "scene": "Scene",
}


@dataclass(frozen=True)
class TaskNode:
    """A task of the catalog as this service knows it."""

    id: int
    project_id: int
    parent_id: int | None
    kind: str
    name: str
    code: str | None = None
    type_id: int | None = None
    sequence_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RepositoryView:
    id: int
    name: str
    code: str
    linux_path: str | None
    macos_path: str | None
    windows_path: str | None
    # `$REPO<id>/`: a template writing `{{project.repository.path}}FC/...` stays portable.
    path: str
    variable: str


@dataclass(frozen=True)
class ProjectView:
    id: int
    name: str
    code: str
    repository: RepositoryView | None
    repositories: tuple[RepositoryView, ...]


@dataclass(frozen=True)
class TypeView:
    id: int


@dataclass(frozen=True)
class TaskView:
    id: int
    name: str
    nice_name: str
    code: str | None
    kind: str
    entity_type: str
    type: TypeView | None


@dataclass(frozen=True)
class VersionView:
    version_number: int
    take_name: str
    nice_name: str


def entity_type_of(kind: str) -> EntityType:
    return ENTITY_TYPES.get(kind, "Task")


def repository_view(repository: RepositoryRoots, name: str) -> RepositoryView:
    variable = id_variable(repository.id)
    return RepositoryView(
        id=repository.id,
        name=name,
        code=repository.code,
        linux_path=repository.linux,
        macos_path=repository.macos,
        windows_path=repository.windows,
        path=variable + "/",
        variable=variable,
    )


def project_view(
    project_id: int, name: str, code: str, repositories: Sequence[RepositoryView]
) -> ProjectView:
    return ProjectView(
        id=project_id,
        name=name,
        code=code,
        repository=repositories[0] if repositories else None,
        repositories=tuple(repositories),
    )


def task_view(node: TaskNode) -> TaskView:
    return TaskView(
        id=node.id,
        name=node.name,
        nice_name=path_nice_name(node.name),
        code=node.code,
        kind=node.kind,
        entity_type=entity_type_of(node.kind),
        type=TypeView(node.type_id) if node.type_id is not None else None,
    )


def _nearest(chain: Sequence[TaskNode], kind: str) -> TaskNode | None:
    return next((node for node in reversed(chain) if node.kind == kind), None)


def version_context(
    project: ProjectView,
    chain: Sequence[TaskNode],
    known_sequences: Mapping[int, TaskNode],
    version_number: int,
    take_name: str,
) -> dict[str, Any]:
    """The variables of a filename template for a new version of `chain[-1]` (chain: root first)."""
    task = chain[-1]
    shot = _nearest(chain, "shot")
    sequence = _nearest(chain, "sequence")
    if sequence is None and shot is not None:
        # A shot may sit in sequences without being their child: its first known sequence counts.
        sequence = next((known_sequences[i] for i in shot.sequence_ids if i in known_sequences), None)
    view = task_view(task)
    return {
        "project": project,
        "task": view,
        "parent_tasks": [task_view(node) for node in chain],
        "sequence": task_view(sequence) if sequence else None,
        "shot": task_view(shot) if shot else None,
        "asset": _optional_view(_nearest(chain, "asset")),
        "scene": _optional_view(_nearest(chain, "scene")),
        "type": view.type,
        "version": VersionView(
            version_number=version_number,
            take_name=take_name,
            nice_name=version_nice_name([(n.kind, n.name) for n in chain], take_name),
        ),
    }


def structure_context(project: ProjectView) -> dict[str, Any]:
    """The variables of a structure's custom template (the project's default folders)."""
    return {"project": project}


def _optional_view(node: TaskNode | None) -> TaskView | None:
    return task_view(node) if node else None


def choose_template(kind: str, by_entity_type: Mapping[str, _T]) -> _T | None:
    """The template for a task's kind, falling back to the `Task` template."""
    return by_entity_type.get(entity_type_of(kind)) or by_entity_type.get("Task")
