"""One set of routes per kind of node (sequences, shots, assets, scenes) with its own input schemas,
and a shot's sequences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel
from sqlalchemy import select

from stalker_catalog.api.read_models import TASK_LIST, TASK_ROW, task_reads, task_rows_values
from stalker_catalog.api.schemas.tasks import (
    AssetCreate,
    AssetUpdate,
    SceneCreate,
    SceneUpdate,
    SequenceCreate,
    SequenceIds,
    SequenceUpdate,
    ShotCreate,
    ShotUpdate,
    TaskRead,
)
from stalker_catalog.api.task_io import locked_task, new_task, task_change
from stalker_catalog.db.models import Task
from stalker_catalog.db.task_queries import load_task, load_tasks
from stalker_catalog.service import task_delete, tasks
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import ListParams, Page, fetch_rows, json_page, list_params
from stalker_shared.requests import Work
from stalker_shared.types import Id


@dataclass(frozen=True)
class KindRoutes:
    kind: str
    plural: str
    create: type[BaseModel]
    update: type[BaseModel]


KINDS = (
    KindRoutes("sequence", "sequences", SequenceCreate, SequenceUpdate),
    KindRoutes("shot", "shots", ShotCreate, ShotUpdate),
    KindRoutes("asset", "assets", AssetCreate, AssetUpdate),
    KindRoutes("scene", "scenes", SceneCreate, SceneUpdate),
)


def _body(endpoint: Callable[..., Any], schema: type[BaseModel]) -> Callable[..., Any]:
    # The body's schema differs per kind; FastAPI reads it from the annotation, which is set here
    # (a local name in a string annotation could not be resolved).
    endpoint.__annotations__["body"] = schema
    return endpoint


def kind_routers() -> list[APIRouter]:
    routers = [_kind_router(spec) for spec in KINDS]
    routers[1].include_router(_shot_sequences())
    return routers


def _kind_router(spec: KindRoutes) -> APIRouter:
    kind, plural = spec.kind, spec.plural
    router = APIRouter(prefix=f"/v1/{plural}", tags=[plural])

    @router.get("", response_model=Page[TaskRead], name=f"list_{plural}", description=TASK_LIST.describe())
    async def list_nodes(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Response:
        statement = select(*TASK_ROW).where(Task.kind == kind)
        rows, total = await fetch_rows(uow.session, statement, TASK_LIST, params)
        items = await task_rows_values(uow.session, rows)
        return json_page(items, total, params, TaskRead)

    async def create_node(uow: Work, body: Any, etag: ETag) -> TaskRead:
        task = await tasks.create_task(uow, new_task(body, kind))
        return etag.tag((await task_reads(uow.session, [task]))[0])

    router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskRead, name=f"create_{kind}")(
        _body(create_node, spec.create)
    )

    @router.get("/{task_id}", response_model=TaskRead, name=f"get_{kind}")
    async def get_node(uow: Work, task_id: Id, etag: ETag) -> TaskRead:
        return etag.tag((await task_reads(uow.session, [await load_task(uow.session, task_id, kind)]))[0])

    async def update_node(uow: Work, task_id: Id, body: Any, etag: IfMatch) -> TaskRead:
        await etag.check(lambda: locked_task(uow, task_id, kind))
        task = await tasks.update_task(uow, task_change(task_id, body, kind))
        return etag.tag((await task_reads(uow.session, [task]))[0])

    router.patch("/{task_id}", response_model=TaskRead, name=f"update_{kind}")(
        _body(update_node, spec.update)
    )

    @router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, name=f"delete_{kind}")
    async def delete_node(uow: Work, task_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: locked_task(uow, task_id, kind))
        await task_delete.delete_task(uow, task_id, kind)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def _shot_sequences() -> APIRouter:
    router = APIRouter()

    @router.get("/{shot_id}/sequences", response_model=list[TaskRead])
    async def shot_sequences(uow: Work, shot_id: Id) -> list[TaskRead]:
        shot = await load_task(uow.session, shot_id, "shot")
        sequences = await load_tasks(uow.session, [s.id for s in shot.sequences])
        return await task_reads(uow.session, sequences)

    @router.put("/{shot_id}/sequences", response_model=list[TaskRead])
    async def set_shot_sequences(uow: Work, shot_id: Id, body: SequenceIds) -> list[TaskRead]:
        ids = list(body.sequence_ids)
        shot = await tasks.edit_relation(uow, shot_id, "sequence_ids", lambda _: ids, "shot")
        sequences = await load_tasks(uow.session, [s.id for s in shot.sequences])
        return await task_reads(uow.session, sequences)

    return router
