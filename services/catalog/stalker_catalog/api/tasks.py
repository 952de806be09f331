"""Routes of the task tree: /v1/tasks (every kind, bulk writes), the relations, and one set of routes per
kind (/v1/sequences, /v1/shots, /v1/assets, /v1/scenes). Any logged-in user may write tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy import select

from stalker_catalog.api.read_models import TASK_LIST, TASK_ROW, task_reads, task_rows_values
from stalker_catalog.api.schemas.tasks import (
    AnyTaskCreate,
    AnyTaskUpdate,
    BulkCreate,
    BulkItemResult,
    BulkResult,
    BulkUpdate,
    TaskRead,
)
from stalker_catalog.api.task_io import bulk_new_task, locked_task, new_task, task_change
from stalker_catalog.api.task_kinds import kind_routers
from stalker_catalog.api.task_relations import relations_router
from stalker_catalog.db.task_queries import load_task
from stalker_catalog.service import task_delete, tasks
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import ListParams, Page, fetch_rows, json_page, list_params
from stalker_shared.requests import Work
from stalker_shared.types import Id

BULK_DESCRIPTION = (
    "Up to 20,000 items in one transaction. Items may name each other with `ref`, `parent_ref`, "
    "`depends_on_refs` and `sequence_refs`. Every item is checked before anything is written; a rejected "
    "batch answers 422 with `errors`, one entry per problem with the item's `index` (and `ref`)."
)


def tasks_router() -> APIRouter:
    """Everything of the task tree, as one router."""
    router = APIRouter()
    router.include_router(_tasks())
    router.include_router(relations_router())
    for kind_router in kind_routers():
        router.include_router(kind_router)
    return router


def _tasks() -> APIRouter:
    router = APIRouter(prefix="/v1/tasks", tags=["tasks"])
    _bulk(router)  # before /{task_id}, which would otherwise take "bulk" for an id

    @router.get("", response_model=Page[TaskRead], description="Every kind. " + TASK_LIST.describe())
    async def list_tasks(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Response:
        rows, total = await fetch_rows(uow.session, select(*TASK_ROW), TASK_LIST, params)
        items = await task_rows_values(uow.session, rows)
        return json_page(items, total, params, TaskRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskRead)
    async def create_task(uow: Work, body: AnyTaskCreate, etag: ETag) -> TaskRead:
        task = await tasks.create_task(uow, new_task(body))
        return etag.tag((await task_reads(uow.session, [task]))[0])

    @router.get("/{task_id}", response_model=TaskRead)
    async def get_task(uow: Work, task_id: Id, etag: ETag) -> TaskRead:
        return etag.tag((await task_reads(uow.session, [await load_task(uow.session, task_id)]))[0])

    @router.patch("/{task_id}", response_model=TaskRead)
    async def update_task(uow: Work, task_id: Id, body: AnyTaskUpdate, etag: IfMatch) -> TaskRead:
        await etag.check(lambda: locked_task(uow, task_id))
        task = await tasks.update_task(uow, task_change(task_id, body))
        return etag.tag((await task_reads(uow.session, [task]))[0])

    @router.delete(
        "/{task_id}", status_code=status.HTTP_204_NO_CONTENT, description="Deletes its children too."
    )
    async def delete_task(uow: Work, task_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: locked_task(uow, task_id))
        await task_delete.delete_task(uow, task_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def _bulk(router: APIRouter) -> None:
    @router.post(
        "/bulk", status_code=status.HTTP_201_CREATED, response_model=BulkResult, description=BULK_DESCRIPTION
    )
    async def bulk_create(uow: Work, body: BulkCreate) -> BulkResult:
        applied = await tasks.apply_batch(uow, [bulk_new_task(item) for item in body.items], [])
        results = [
            BulkItemResult(index=i, ref=item.ref, id=made.id, revision=1, status=made.status)
            for i, (item, made) in enumerate(zip(body.items, applied.created, strict=True))
        ]
        return BulkResult(count=len(results), items=results)

    @router.patch("/bulk", response_model=BulkResult, description="Changes to up to 20,000 tasks at once.")
    async def bulk_update(uow: Work, body: BulkUpdate) -> BulkResult:
        changed = await tasks.update_tasks(uow, [task_change(item.id, item) for item in body.items])
        results = [
            BulkItemResult(index=i, id=task.id, revision=task.revision, status=task.status)
            for i, task in enumerate(changed)
        ]
        return BulkResult(count=len(results), items=results)
