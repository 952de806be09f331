"""Routes for notes: /v1/notes. Members who see the target add them; the author or a producer of the
project (or an admin) changes or deletes one (service/notes.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from stalker_catalog.api.schemas.notes import NoteCreate, NoteRead, NoteUpdate
from stalker_catalog.db.notes import Note
from stalker_catalog.db.repository import get_one
from stalker_catalog.service import notes as service
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import (
    ListParams,
    ListSpec,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import Work
from stalker_shared.types import Id

NOTE_LIST = ListSpec(
    {
        "id": Note.id,
        "project_id": Note.project_id,
        "task_id": Note.task_id,
        "version_id": Note.version_id,
        "review_id": Note.review_id,
        "author_id": Note.created_by_id,
        "created_at": Note.created_at,
        "updated_at": Note.updated_at,
    },
    default_sort=("-created_at", "-id"),
)
LIST_DESCRIPTION = (
    "Newest first unless `sort` says otherwise. `task_id` lists a task's notes with those of its versions "
    "and reviews; add `version_id=null&review_id=null` for the task's own. "
)


def notes_router() -> APIRouter:
    router = APIRouter(prefix="/v1/notes", tags=["notes"])

    @router.get("", response_model=Page[NoteRead], description=LIST_DESCRIPTION + NOTE_LIST.describe())
    async def list_notes(
        uow: Work, params: Annotated[ListParams, Depends(list_params)]
    ) -> Page[NoteRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(Note), NOTE_LIST, params)
        items = [NoteRead.model_validate(note) for note in rows]
        return page_response(make_page(items, total, params), params, NoteRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=NoteRead)
    async def add_note(uow: Work, body: NoteCreate, etag: ETag) -> NoteRead:
        note = await service.add_note(uow, service.AddNote(**body.model_dump()))
        return etag.tag(NoteRead.model_validate(note))

    @router.get("/{note_id}", response_model=NoteRead)
    async def get_note(uow: Work, note_id: Id, etag: ETag) -> NoteRead:
        return etag.tag(NoteRead.model_validate(await get_one(uow.session, Note, note_id)))

    @router.patch("/{note_id}", response_model=NoteRead)
    async def update_note(uow: Work, note_id: Id, body: NoteUpdate, etag: IfMatch) -> NoteRead:
        await etag.check(lambda: service.locked_note(uow, note_id))
        return etag.tag(NoteRead.model_validate(await service.update_note(uow, note_id, body.text)))

    @router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_note(uow: Work, note_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: service.locked_note(uow, note_id))
        await service.delete_note(uow, note_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
