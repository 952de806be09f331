"""Events the catalog publishes about notes: the text someone left on a project, a task, a version or a
review. `added` and `updated` carry the full state, `deleted` the id (and the project, for a consumer
that keeps notes per project); `revision` grows with every change, as for every catalog aggregate."""

from __future__ import annotations

from pydantic import AwareDatetime

from stalker_shared.contracts.catalog import AggregateState, Deleted
from stalker_shared.contracts.envelope import Contract


class NoteState(AggregateState):
    """The note's target is its most specific id: a review's or a version's note also names their task;
    a task's note names the task only; a project's note names none of the three."""

    project_id: int
    task_id: int | None = None
    version_id: int | None = None
    review_id: int | None = None
    author_id: int | None = None
    text: str
    created_at: AwareDatetime
    updated_at: AwareDatetime


class NoteAdded(NoteState):
    TYPE = "catalog.note.added"
    VERSION = 1


class NoteUpdated(NoteState):
    TYPE = "catalog.note.updated"
    VERSION = 1


class NoteDeleted(Deleted):
    TYPE = "catalog.note.deleted"
    VERSION = 1

    project_id: int


NOTES_CONTRACTS: tuple[type[Contract], ...] = (NoteAdded, NoteUpdated, NoteDeleted)
