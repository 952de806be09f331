"""What `stalker list` and `stalker show` know: entity names, the client resource behind each, and the
columns a list shows by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stalker_client._client import Stalker

NODE_COLUMNS = ("id", "kind", "name", "code", "parent_id", "status", "computed_start", "computed_end")


@dataclass(frozen=True)
class Entity:
    attribute: str  # the resource on the client
    columns: tuple[str, ...]


ENTITIES: dict[str, Entity] = {
    "users": Entity("users", ("id", "login", "name", "email", "department_ids")),
    "departments": Entity("departments", ("id", "name", "user_ids")),
    "groups": Entity("groups", ("id", "name", "user_ids")),
    "roles": Entity("roles", ("id", "name")),
    "statuses": Entity("statuses", ("id", "code", "name")),
    "status-lists": Entity(
        "status_lists", ("id", "name", "target_entity_type", "status_codes", "is_default")
    ),
    "types": Entity("types", ("id", "name", "code", "target_entity_type")),
    "image-formats": Entity("image_formats", ("id", "name", "width", "height")),
    "studios": Entity("studios", ("id", "name", "time_zone", "now", "start", "end")),
    "projects": Entity("projects", ("id", "code", "name", "status", "fps")),
    "tasks": Entity("tasks", NODE_COLUMNS),
    "sequences": Entity("sequences", NODE_COLUMNS),
    "shots": Entity("shots", NODE_COLUMNS),
    "assets": Entity("assets", NODE_COLUMNS),
    "scenes": Entity("scenes", NODE_COLUMNS),
    "jobs": Entity("jobs", ("id", "studio_id", "status", "requested_at", "finished_at", "tasks_scheduled")),
    "repositories": Entity(
        "repositories", ("id", "name", "code", "linux_path", "macos_path", "windows_path")
    ),
    "structures": Entity("structures", ("id", "name", "template_ids")),
    "filename-templates": Entity("filename_templates", ("id", "name", "target_entity_type")),
    "versions": Entity(
        "versions", ("id", "version_number", "take_name", "filename", "is_published", "absolute_full_path")
    ),
}
ALIASES = {"schedule-jobs": "jobs", "status_lists": "status-lists", "image_formats": "image-formats"}


def entity_named(name: str) -> Entity:
    """The entity, or a KeyError whose message lists the known names."""
    key = ALIASES.get(name, name)
    if key not in ENTITIES:
        raise KeyError(f"unknown entity {name!r}; choose from {', '.join(ENTITIES)}")
    return ENTITIES[key]


def resource_of(client: Stalker, entity: Entity) -> Any:
    return getattr(client, entity.attribute)
