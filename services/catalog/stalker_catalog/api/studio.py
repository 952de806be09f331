"""Routes for the studio: settings changed by admins only, read by anyone logged in; unit conversion
by the studio's calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from stalker_catalog.api.read_models import STUDIO_LIST, studio_read
from stalker_catalog.api.schemas.studio import Seconds, StudioCreate, StudioRead, StudioUpdate
from stalker_catalog.db.models import Studio
from stalker_catalog.db.repository import get_one
from stalker_catalog.service import studio as service
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import (
    ListParams,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import Work, admin
from stalker_shared.resources import changes_of
from stalker_shared.types import Id, Timing, Word


def studios_router() -> APIRouter:
    router = APIRouter(prefix="/v1/studios", tags=["studio"])
    admin_only = [Depends(admin)]

    @router.get("", response_model=Page[StudioRead], description=STUDIO_LIST.describe())
    async def list_studios(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[StudioRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(Studio), STUDIO_LIST, params)
        return page_response(make_page([studio_read(s) for s in rows], total, params), params, StudioRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=StudioRead, dependencies=admin_only)
    async def create_studio(uow: Work, body: StudioCreate, etag: ETag) -> StudioRead:
        """The catalog keeps one studio: a second one is refused (409)."""
        values = body.model_dump(exclude_none=True)
        return etag.tag(studio_read(await service.create_studio(uow, service.CreateStudio(**values))))

    @router.get("/{studio_id}", response_model=StudioRead)
    async def get_studio(uow: Work, studio_id: Id, etag: ETag) -> StudioRead:
        return etag.tag(studio_read(await get_one(uow.session, Studio, studio_id)))

    @router.patch("/{studio_id}", response_model=StudioRead, dependencies=admin_only)
    async def update_studio(uow: Work, studio_id: Id, body: StudioUpdate, etag: IfMatch) -> StudioRead:
        await etag.check(lambda: get_one(uow.session, Studio, studio_id, for_update=True))
        changes = changes_of(body, nullable=frozenset({"now"}))
        return etag.tag(studio_read(await service.update_studio(uow, studio_id, changes)))

    @router.delete("/{studio_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=admin_only)
    async def delete_studio(uow: Work, studio_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: get_one(uow.session, Studio, studio_id, for_update=True))
        await service.delete_studio(uow, studio_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/{studio_id}/to-seconds", response_model=Seconds)
    async def to_seconds(
        uow: Work,
        studio_id: Id,
        timing: Annotated[Timing, Query(description="How many units")],
        unit: Annotated[Word, Query(description="min, h, d, w, m or y")] = "h",
        model: Annotated[
            Word, Query(description="effort and length count working time; duration calendar")
        ] = "effort",
    ) -> Seconds:
        """A timing in seconds by this studio's calendar (10 d effort = 10 x daily working hours)."""
        seconds = await service.studio_seconds(uow, studio_id, timing, unit, model)
        whole = int(seconds) if float(seconds).is_integer() else seconds
        return Seconds(seconds=whole, timing=timing, unit=unit, model=model)

    return router
