"""Notes: any member who sees a project, a task, a version or a review may leave one (viewers too:
clients give notes); its author or a producer of the project (or an admin) may change or delete it.
One transaction each, the event in the outbox."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

from stalker_catalog.db import notes as queries
from stalker_catalog.db.notes import Note
from stalker_catalog.db.repository import get_one
from stalker_catalog.db.version_mirror import live_version
from stalker_catalog.domain.errors import NotFound, ValidationFailed
from stalker_shared.access import Access, Operation
from stalker_shared.contracts.notes import NoteAdded, NoteDeleted, NoteUpdated
from stalker_shared.unit_of_work import UnitOfWork

TARGETS = ("project_id", "task_id", "version_id", "review_id")


@dataclass(frozen=True)
class AddNote:
    """Exactly one of the ids names what the note is on."""

    text: str
    project_id: int | None = None
    task_id: int | None = None
    version_id: int | None = None
    review_id: int | None = None


@dataclass(frozen=True)
class Target:
    project_id: int
    task_id: int | None = None
    version_id: int | None = None
    review_id: int | None = None


async def add_note(uow: UnitOfWork, command: AddNote) -> Note:
    target = await _target(uow, command)
    uow.access.require(Operation.NOTE_WRITE, target.project_id)
    note = Note(
        project_id=target.project_id,
        task_id=target.task_id,
        version_id=target.version_id,
        review_id=target.review_id,
        text=command.text,
        created_by_id=uow.access.user_id,
    )
    uow.session.add(note)
    await uow.session.flush()
    await uow.publish(NoteAdded.model_validate(note))
    return note


async def update_note(uow: UnitOfWork, note_id: int, text: str) -> Note:
    note = await locked_note(uow, note_id)
    require_edit(uow.access, note)
    note.text = text
    await uow.session.flush()
    await uow.publish(NoteUpdated.model_validate(note))
    return note


async def delete_note(uow: UnitOfWork, note_id: int) -> None:
    note = await locked_note(uow, note_id)
    require_edit(uow.access, note)
    revision, project_id = note.revision, note.project_id
    await uow.session.delete(note)
    await uow.session.flush()
    await uow.publish(NoteDeleted(id=note_id, revision=revision + 1, project_id=project_id))


def locked_note(uow: UnitOfWork, note_id: int) -> Awaitable[Note]:
    """The note as a write sees it (locked), for the handlers and for an If-Match check."""
    return get_one(uow.session, Note, note_id, for_update=True)


def require_edit(access: Access, note: Note) -> None:
    """The author while still a member, a producer of the project, or an admin."""
    own = note.created_by_id is not None and note.created_by_id == access.user_id
    if own and access.may(Operation.NOTE_WRITE, note.project_id):
        return
    access.require(Operation.NOTE_EDIT_ANY, note.project_id, f"note with id {note.id}")


async def _target(uow: UnitOfWork, command: AddNote) -> Target:
    given = [name for name in TARGETS if getattr(command, name) is not None]
    if len(given) != 1:
        field = given[1] if given else "project_id"
        raise ValidationFailed(
            f"give exactly one of {', '.join(TARGETS)} (the note's target); got {len(given)}", field=field
        )
    session = uow.session
    if command.project_id is not None:
        if not await queries.project_exists(session, command.project_id):
            raise NotFound(f"no project with id {command.project_id}", field="project_id")
        return Target(command.project_id)
    if command.task_id is not None:
        project_id = await queries.task_project(session, command.task_id)
        if project_id is None:
            raise NotFound(f"no task with id {command.task_id}", field="task_id")
        return Target(project_id, task_id=command.task_id)
    if command.version_id is not None:
        return await _version_target(uow, command.version_id)
    assert command.review_id is not None
    review = await queries.review_target(session, command.review_id)
    if review is None or not uow.access.sees(review.project_id):
        raise NotFound(f"no review with id {command.review_id}", field="review_id")
    return Target(review.project_id, task_id=review.task_id, review_id=command.review_id)


async def _version_target(uow: UnitOfWork, version_id: int) -> Target:
    """A version the catalog has heard of (from the versions service's events), whose task it still has."""
    version = await live_version(uow.session, version_id)
    project_id = None if version is None else await queries.task_project(uow.session, version.task_id)
    if version is None or project_id is None:
        raise NotFound(
            f"no version with id {version_id} (or the catalog has not heard of it yet)", field="version_id"
        )
    return Target(project_id, task_id=version.task_id, version_id=version_id)
