"""Every service's parked outbox messages, for its admins: the list, and requeueing one."""

# No `from __future__ import annotations` here: FastAPI reads the Annotated aliases at runtime.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel

from stalker_shared.listing import Page
from stalker_shared.outbox_status import parked_messages, requeue_parked
from stalker_shared.requests import Admin, Work, runtime_of
from stalker_shared.types import INT32_MAX


class ParkedMessage(BaseModel):
    message_id: uuid.UUID
    message_type: str
    routing_key: str
    exchange: str
    correlation_id: str
    created_at: datetime
    parked_at: datetime
    parked_reason: str | None
    publish_attempts: int


def outbox_router() -> APIRouter:
    router = APIRouter(prefix="/v1/outbox", tags=["operations"])

    @router.get(
        "/parked",
        response_model=Page[ParkedMessage],
        summary="Messages the broker refused too often: parked, not published until requeued (admins)",
    )
    async def list_parked(
        request: Request,
        uow: Work,
        _: Admin,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    ) -> Page[ParkedMessage]:
        outbox = runtime_of(request).definition.tables.outbox
        rows, total = await parked_messages(uow.session, outbox, limit=limit, offset=offset)
        items = [ParkedMessage.model_validate(row) for row in rows]
        return Page[ParkedMessage](items=items, total=total, limit=limit, offset=offset)

    @router.post(
        "/parked/{message_id}/requeue",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Give a parked message to the relay again, its attempts counted from zero (admins)",
    )
    async def requeue(request: Request, uow: Work, _: Admin, message_id: uuid.UUID) -> None:
        await requeue_parked(uow.session, runtime_of(request).definition.tables.outbox, message_id)

    return router
