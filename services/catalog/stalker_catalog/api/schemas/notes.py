"""Notes on projects, tasks, versions and reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from stalker_catalog.api.schemas.common import Input, Output
from stalker_shared.types import TEXT, TEXT_MAX, BigId, Id, MultiLine

NoteText = Annotated[str, Field(min_length=1, max_length=TEXT_MAX, json_schema_extra=TEXT), MultiLine]
"""A note's text: 1 to 10,000 characters, newlines and tabs allowed, other control characters not."""


class NoteCreate(Input):
    """Give exactly one of `project_id`, `task_id`, `version_id` (a version the catalog has heard of from
    the versions service) and `review_id`."""

    text: NoteText
    project_id: Id | None = None
    task_id: Id | None = None
    version_id: BigId | None = None
    review_id: Id | None = None


class NoteUpdate(Input):
    text: NoteText


class NoteRead(Output):
    id: int
    project_id: int
    task_id: int | None = Field(description="The task's, or the version's or review's task")
    version_id: int | None
    review_id: int | None
    author_id: int | None = Field(description="null once the author's user is deleted")
    text: str
    revision: int = Field(description="Grows with every change; used for optimistic concurrency")
    created_at: datetime
    updated_at: datetime
