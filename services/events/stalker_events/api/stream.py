"""`GET /events/v1/stream`: the log as Server-Sent Events, from a cursor (`Last-Event-ID` or `after`) on,
filtered and scoped as the log is. Everything that can refuse (the token, the patterns, an expired
cursor, the limits) is checked before the first byte goes out, in `open_stream`; the stream holds no
transaction (each page is a short read) and ends when the caller's token expires, so a revoked or
demoted caller loses it: clients reconnect with a fresh token and their last event id."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from stalker_events.api.events import MAX_PAGE, TYPE_HELP
from stalker_events.api.schemas import EventRead
from stalker_events.db.access import SCOPE_RULES
from stalker_events.domain.errors import CursorExpired
from stalker_events.domain.patterns import expand_types, known_types
from stalker_events.service.head import LogHead, TooManyStreams
from stalker_events.service.reading import LogQuery, check_cursor, log_bounds, read_log
from stalker_events.state import events_state
from stalker_shared.access import Access
from stalker_shared.auth import Principal
from stalker_shared.draining import Draining
from stalker_shared.errors import ValidationFailed
from stalker_shared.requests import RuntimeDep, principal
from stalker_shared.runtime import Runtime
from stalker_shared.scope import scope_session
from stalker_shared.types import INT64_MAX, Id

RETRY_MS = 3000  # how long a browser's EventSource waits before reconnecting
HEARTBEAT_SECONDS = 15.0  # at most this long between checks of the token's expiry when nothing happens


@dataclass(frozen=True)
class OpenStream:
    runtime: Runtime
    access: Access
    query: LogQuery
    expires_at: float


def _cursor(last_event_id: str | None, after: int | None) -> int | None:
    if last_event_id is None:
        return after
    if not re.fullmatch(r"[0-9]{1,19}", last_event_id.strip()) or int(last_event_id) > INT64_MAX:
        raise ValidationFailed(
            "Last-Event-ID must be a cursor this stream sent (a whole number)", "Last-Event-ID"
        )
    return int(last_event_id)


async def open_stream(
    runtime: RuntimeDep,
    request: Request,
    claims: Annotated[Principal, Depends(principal)],
    last_event_id: Annotated[
        str | None, Header(max_length=32, description="Resume after this cursor")
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=INT64_MAX, description="Resume after this cursor")] = None,
    type: Annotated[list[str], Query(description=TYPE_HELP)] = [],  # noqa: B006 - FastAPI copies it
    project_id: Annotated[list[Id], Query(max_length=100, description="Only these projects")] = [],  # noqa: B006
) -> AsyncIterator[OpenStream]:
    types = expand_types(type, known_types(runtime.definition.registry))
    cursor = _cursor(last_event_id, after)
    async with runtime.sessionmaker() as session:
        access = await runtime.definition.load_access(session, claims)
        check_cursor(cursor, *await log_bounds(session))
    head = events_state(runtime).head
    draining: Draining | None = getattr(request.state, "draining", None)
    if draining is not None:  # served by our uvicorn (not a test's bare server): streams end when it stops
        draining.on_drain(head.stop)
    try:
        head.open(access.user_id, runtime.sessionmaker)
    except TooManyStreams as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "30"}) from None
    try:
        query = LogQuery(cursor, types, project_id, MAX_PAGE)
        yield OpenStream(runtime, access, query, runtime.auth.expires_at(claims.token))
    finally:
        head.close(access.user_id)


def stream_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["events"])

    @router.get(
        "/stream",
        response_class=EventSourceResponse,
        summary="The event log as Server-Sent Events, live",
        description="Each event: `id` its cursor, `event` its type, `data` the log's JSON item. Resume with "
        "`Last-Event-ID`. Ends when the token expires; reconnect with a fresh one.",
    )
    async def stream(
        opened: Annotated[OpenStream, Depends(open_stream)], request: Request
    ) -> AsyncIterator[ServerSentEvent]:
        head: LogHead = events_state(opened.runtime).head
        query = opened.query
        retry: int | None = RETRY_MS
        while time.time() < opened.expires_at and not head.stopped and not await request.is_disconnected():
            try:
                async with opened.runtime.sessionmaker() as session:
                    scope_session(session, SCOPE_RULES, opened.access.project_ids)
                    page = await read_log(session, query)
            except CursorExpired:
                return  # fell behind retention: the reconnect is told so (410)
            for event in page.events:
                item = EventRead.model_validate(event)
                yield ServerSentEvent(id=str(event.id), event=event.type, data=item, retry=retry)
                retry = None
            query = LogQuery(page.next_after, query.types, query.project_ids, query.limit)
            if len(page.events) < query.limit:
                remaining = opened.expires_at - time.time()
                await head.wait_past(page.next_after, max(0.0, min(HEARTBEAT_SECONDS, remaining)))

    return router
