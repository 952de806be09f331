"""`GET /events/v1/events`: the log, by cursor, filtered by type patterns and projects, scoped to the
projects the caller is a member of (admins: all, and the studio's own events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from stalker_events.api.schemas import EventPage, EventRead, EventTypes
from stalker_events.domain.patterns import expand_types, known_types
from stalker_events.service.reading import LogQuery, read_log
from stalker_shared.requests import RuntimeDep, Work, principal
from stalker_shared.types import INT64_MAX, Id

MAX_PAGE = 1000
TYPE_HELP = "Type patterns, `*` one word and `#` any: catalog.task.*, versions.#"


def events_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["events"], dependencies=[Depends(principal)])

    @router.get("/events", response_model=EventPage, summary="The event log after a cursor")
    async def list_events(
        uow: Work,
        runtime: RuntimeDep,
        after: Annotated[
            int | None,
            Query(ge=0, le=INT64_MAX, description="The last cursor read; omitted: the oldest event kept"),
        ] = None,
        type: Annotated[
            list[str],
            Query(description=TYPE_HELP),
        ] = [],  # noqa: B006 - FastAPI copies a query list's default
        project_id: Annotated[list[Id], Query(max_length=100, description="Only these projects")] = [],  # noqa: B006
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    ) -> EventPage:
        types = expand_types(type, known_types(runtime.definition.registry))
        page = await read_log(uow.session, LogQuery(after, types, project_id, limit))
        items = [EventRead.model_validate(event) for event in page.events]
        return EventPage(items=items, next_after=page.next_after, limit=limit)

    @router.get("/types", response_model=EventTypes, summary="The event types the log records")
    async def types(runtime: RuntimeDep) -> EventTypes:
        return EventTypes(types=list(known_types(runtime.definition.registry)))

    return router
