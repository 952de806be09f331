"""TaskJuggler text of a studio, a project, a user or a task, as the tutorial prints with `to_tjp`.

The catalog owns the data and the scheduler owns the rendering: this route fetches the studio's snapshot
from the catalog (forwarding the caller's token) and renders the part asked for.
"""

from typing import Annotated, Literal

import httpx
from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.responses import PlainTextResponse

from stalker_scheduler.settings import SchedulerSettings
from stalker_scheduler.tjp import (
    InvalidInput,
    render_project_tjp,
    render_resource_tjp,
    render_studio_tjp,
    render_task_tjp,
)
from stalker_shared.contracts.scheduling import ScheduleRequested
from stalker_shared.outbound import tls_context
from stalker_shared.requests import RuntimeDep, caller
from stalker_shared.types import Id

Entity = Literal["studio", "project", "user", "task"]


def tjp_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["tjp"], dependencies=[Depends(caller)])

    @router.get("/studios/{studio_id}/tjp", response_class=PlainTextResponse)
    async def tjp(
        runtime: RuntimeDep,
        studio_id: Id,
        authorization: Annotated[str, Header()],
        entity: Annotated[Entity, Query(description="What to render")] = "studio",
        entity_id: Annotated[Id | None, Query(alias="id", description="Its id (not for the studio)")] = None,
    ) -> PlainTextResponse:
        settings = runtime.settings
        assert isinstance(settings, SchedulerSettings)
        snapshot = await _fetch_snapshot(settings.catalog_url, studio_id, authorization)
        try:
            text = _render(snapshot, entity, entity_id)
        except (KeyError, LookupError) as exc:
            raise HTTPException(404, f"no {entity} with id {entity_id} in studio {studio_id}") from exc
        except InvalidInput as exc:
            raise HTTPException(422, str(exc)) from exc
        return PlainTextResponse(text)

    return router


def _render(snapshot: ScheduleRequested, entity: Entity, entity_id: int | None) -> str:
    if entity == "studio":
        return render_studio_tjp(snapshot)
    if entity_id is None:
        raise HTTPException(422, f"give the {entity}'s id with ?id=")
    renderers = {"project": render_project_tjp, "user": render_resource_tjp, "task": render_task_tjp}
    return renderers[entity](snapshot, entity_id)


async def _fetch_snapshot(catalog_url: str, studio_id: Id, authorization: str) -> ScheduleRequested:
    url = f"{catalog_url.rstrip('/')}/catalog/v1/studios/{studio_id}/snapshot"
    try:
        async with httpx.AsyncClient(timeout=60, verify=tls_context()) as client:
            response = await client.get(url, headers={"Authorization": authorization})
    except httpx.HTTPError as exc:
        raise HTTPException(
            502, f"the catalog did not answer at {catalog_url}: {type(exc).__name__}"
        ) from exc
    if response.status_code != 200:
        raise HTTPException(response.status_code, f"the catalog answered: {response.text[:500]}")
    return ScheduleRequested.model_validate(response.json())
