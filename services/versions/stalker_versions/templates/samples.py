"""Sample data a template is dry-rendered against when it is saved: the tutorial's commercial, with a
sample task of each kind, so a template that reaches for a missing variable fails at once."""

from __future__ import annotations

from typing import Any

from stalker_versions.domain.context import (
    EntityType,
    TaskNode,
    project_view,
    repository_view,
    structure_context,
    version_context,
)
from stalker_versions.domain.paths import RepositoryRoots

_REPOSITORY = repository_view(
    RepositoryRoots(1, "CR", "/mnt/M/commercials/", "/Volumes/M/commercials/", "M:/commercials/"),
    "Commercial Repository",
)
SAMPLE_PROJECT = project_view(1, "Fancy Commercial", "FC", [_REPOSITORY])

_SEQUENCE = TaskNode(10, 1, None, "sequence", "Sequence 1", "SEQ1")
_SHOT = TaskNode(11, 1, None, "shot", "SH001", "SH001", type_id=3, sequence_ids=(10,))
_COMP = TaskNode(12, 1, 11, "task", "comp", type_id=4)
_SCENE = TaskNode(13, 1, None, "scene", "Scene 1", "SC1")
_ASSET = TaskNode(14, 1, None, "asset", "Hero Guy", "HERO", type_id=5)

# For each target entity type: a task of that kind, root first.
_CHAINS: dict[EntityType, tuple[TaskNode, ...]] = {
    "Task": (_SHOT, _COMP),
    "Shot": (_SHOT,),
    "Sequence": (_SEQUENCE,),
    "Scene": (_SCENE,),
    "Asset": (_ASSET,),
}


def sample_version_context(target_entity_type: EntityType) -> dict[str, Any]:
    return version_context(SAMPLE_PROJECT, _CHAINS[target_entity_type], {10: _SEQUENCE}, 1, "Main")


def sample_structure_context() -> dict[str, Any]:
    return structure_context(SAMPLE_PROJECT)
