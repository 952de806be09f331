"""The events a version's life publishes through the outbox."""

from __future__ import annotations

from stalker_shared.contracts import VersionCreated, VersionPublished
from stalker_versions.db.models import Version


def version_created(version: Version, input_ids: list[int], output_ids: list[int]) -> VersionCreated:
    return VersionCreated(
        id=version.id,
        project_id=version.project_id,
        task_id=version.task_id,
        take_name=version.take_name,
        version_number=version.version_number,
        path=version.path,
        filename=version.filename,
        full_path=version.full_path,
        repository_id=version.repository_id,
        parent_id=version.parent_id,
        input_ids=input_ids,
        output_ids=output_ids,
        created_by_id=version.created_by_id,
        created_at=version.created_at,
    )


def version_published(version: Version, published_by_id: int | None) -> VersionPublished:
    assert version.published_at is not None
    return VersionPublished(
        id=version.id,
        project_id=version.project_id,
        task_id=version.task_id,
        take_name=version.take_name,
        version_number=version.version_number,
        full_path=version.full_path,
        published_by_id=published_by_id,
        published_at=version.published_at,
    )
