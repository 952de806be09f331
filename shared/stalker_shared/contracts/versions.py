"""Events the versions service publishes about versions (their number and path are decided there)."""

from __future__ import annotations

from pydantic import AwareDatetime

from stalker_shared.contracts.envelope import Contract


class VersionCreated(Contract):
    """A new version of a task's take, with the number and paths the server gave it."""

    TYPE = "versions.version.created"
    VERSION = 1

    id: int
    project_id: int
    task_id: int
    take_name: str
    version_number: int
    path: str
    filename: str
    full_path: str
    repository_id: int
    parent_id: int | None = None
    input_ids: list[int] = []
    output_ids: list[int] = []
    created_by_id: int | None = None
    created_at: AwareDatetime


class VersionPublished(Contract):
    """A version was marked usable by others (is_published went from false to true)."""

    TYPE = "versions.version.published"
    VERSION = 1

    id: int
    project_id: int
    task_id: int
    take_name: str
    version_number: int
    full_path: str
    published_by_id: int | None = None
    published_at: AwareDatetime


class VersionDeleted(Contract):
    """A version was deleted (its number is never handed out again for the task and take)."""

    TYPE = "versions.version.deleted"
    VERSION = 1

    id: int
    project_id: int
    task_id: int


VERSIONS_CONTRACTS: tuple[type[Contract], ...] = (VersionCreated, VersionPublished, VersionDeleted)
