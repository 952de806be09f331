"""Routes of production tracking: /v1/time-logs, /v1/reviews and the task actions (request-review,
request-revision, hold, stop, resume). The status is never written directly: these actions move it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy import select

from stalker_catalog.api.read_models import task_reads
from stalker_catalog.api.schemas.tracking import (
    ActionResult,
    Decision,
    ReviewAsk,
    ReviewRead,
    RevisionAsk,
    StatusChangeRead,
    TaskRevisionAsk,
    TimeLogCreate,
    TimeLogRead,
    TimeLogUpdate,
)
from stalker_catalog.db.task_queries import load_task
from stalker_catalog.db.tracking import Review, TimeLog
from stalker_catalog.db.tracking_queries import logs_seen_by
from stalker_catalog.service import reviews, time_logs
from stalker_catalog.service.workflow import Outcome, locked_in_project
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
from stalker_shared.repository import get_one
from stalker_shared.requests import Work
from stalker_shared.resources import changes_of
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork

TIME_LOG_LIST = ListSpec(
    {
        "id": TimeLog.id,
        "task_id": TimeLog.task_id,
        "project_id": TimeLog.project_id,
        "resource_id": TimeLog.resource_id,
        "start": TimeLog.start,
        "end": TimeLog.end,
    },
    default_sort=("start", "id"),
)
REVIEW_LIST = ListSpec(
    {
        "id": Review.id,
        "task_id": Review.task_id,
        "project_id": Review.project_id,
        "reviewer_id": Review.reviewer_id,
        "review_number": Review.review_number,
        "status": Review.status,
        "version_id": Review.version_id,
    },
    default_sort=("id",),
)


def tracking_router() -> APIRouter:
    router = APIRouter()
    router.include_router(_time_logs())
    router.include_router(_reviews())
    router.include_router(_task_actions())
    return router


def _time_log_read(log: TimeLog) -> TimeLogRead:
    return TimeLogRead.model_validate(log)


def _time_logs() -> APIRouter:
    router = APIRouter(prefix="/v1/time-logs", tags=["time logs"])

    @router.get("", response_model=Page[TimeLogRead], description=TIME_LOG_LIST.describe())
    async def list_time_logs(uow: Work, params: Annotated[ListParams, Depends(list_params)]) -> Any:
        statement = select(TimeLog).where(logs_seen_by(uow.access))
        rows, total = await fetch_page(uow.session, statement, TIME_LOG_LIST, params)
        return page_response(make_page([_time_log_read(r) for r in rows], total, params), params, TimeLogRead)

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=TimeLogRead)
    async def create_time_log(uow: Work, body: TimeLogCreate, etag: ETag) -> TimeLogRead:
        command = time_logs.LogTime(
            task_id=body.task_id,
            resource_id=body.resource_id or uow.access.user_id,
            start=body.start,
            end=body.end,
            description=body.description,
        )
        return etag.tag(_time_log_read(await time_logs.create_time_log(uow, command)))

    @router.get("/{time_log_id}", response_model=TimeLogRead)
    async def get_time_log(uow: Work, time_log_id: Id, etag: ETag) -> TimeLogRead:
        log = await get_one(uow.session, TimeLog, time_log_id)
        time_logs.may_log_for(uow.access, log.project_id, log.resource_id)  # who may read it
        return etag.tag(_time_log_read(log))

    @router.patch("/{time_log_id}", response_model=TimeLogRead)
    async def update_time_log(uow: Work, time_log_id: Id, body: TimeLogUpdate, etag: IfMatch) -> TimeLogRead:
        await etag.check(lambda: _locked_log(uow, time_log_id))
        log = await time_logs.update_time_log(uow, time_log_id, changes_of(body))
        return etag.tag(_time_log_read(log))

    @router.delete("/{time_log_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_time_log(uow: Work, time_log_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: _locked_log(uow, time_log_id))
        await time_logs.delete_time_log(uow, time_log_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


async def _locked_log(uow: UnitOfWork, time_log_id: int) -> TimeLogRead:
    return _time_log_read(await locked_in_project(uow, TimeLog, time_log_id))


def _reviews() -> APIRouter:
    router = APIRouter(prefix="/v1/reviews", tags=["reviews"])

    @router.get("", response_model=Page[ReviewRead], description=REVIEW_LIST.describe())
    async def list_reviews(uow: Work, params: Annotated[ListParams, Depends(list_params)]) -> Any:
        rows, total = await fetch_page(uow.session, select(Review), REVIEW_LIST, params)
        items = [ReviewRead.model_validate(r) for r in rows]
        return page_response(make_page(items, total, params), params, ReviewRead)

    @router.get("/{review_id}", response_model=ReviewRead)
    async def get_review(uow: Work, review_id: Id) -> ReviewRead:
        return ReviewRead.model_validate(await get_one(uow.session, Review, review_id))

    @router.post("/{review_id}/approve", response_model=ActionResult)
    async def approve(uow: Work, review_id: Id, body: Decision) -> ActionResult:
        review, outcome = await reviews.approve(uow, review_id, body.description)
        return await _result(uow, review.task_id, [review], outcome)

    @router.post("/{review_id}/request-revision", response_model=ActionResult)
    async def request_revision(uow: Work, review_id: Id, body: RevisionAsk) -> ActionResult:
        ask = reviews.AskRevision(body.schedule_timing, body.schedule_unit, body.description)
        review, outcome = await reviews.request_revision(uow, review_id, ask)
        return await _result(uow, review.task_id, [review], outcome)

    return router


def _task_actions() -> APIRouter:
    router = APIRouter(prefix="/v1/tasks/{task_id}", tags=["task workflow"])

    @router.post(
        "/request-review", response_model=ActionResult, description="WIP tasks: one review per responsible"
    )
    async def request_review(uow: Work, task_id: Id, body: ReviewAsk) -> ActionResult:
        made, outcome = await reviews.request_review(uow, task_id, body.version_id, body.description)
        return await _result(uow, task_id, made, outcome)

    @router.post("/request-revision", response_model=ActionResult, description="PREV or CMPL tasks")
    async def request_task_revision(uow: Work, task_id: Id, body: TaskRevisionAsk) -> ActionResult:
        ask = reviews.AskRevision(body.schedule_timing, body.schedule_unit, body.description)
        review, outcome = await reviews.request_task_revision(uow, task_id, body.reviewer_id, ask)
        return await _result(uow, task_id, [review], outcome)

    for action, allowed in (
        ("hold", "WIP, DREV or OH"),
        ("stop", "WIP, DREV or STOP"),
        ("resume", "OH or STOP"),
    ):
        _task_action(router, action, allowed)
    return router


def _task_action(router: APIRouter, action: str, allowed: str) -> None:
    handler = reviews.TASK_ACTIONS[action]

    @router.post(
        f"/{action}", response_model=ActionResult, name=f"{action}_task", description=f"{allowed} tasks"
    )
    async def act(uow: Work, task_id: Id) -> ActionResult:
        outcome: Outcome = await handler(uow, task_id)
        return await _result(uow, task_id, [], outcome)


async def _result(uow: UnitOfWork, task_id: int, made: list[Review], outcome: Outcome) -> ActionResult:
    task = (await task_reads(uow.session, [await load_task(uow.session, task_id)]))[0]
    moved = [
        StatusChangeRead(task_id=c.task_id, from_status=c.before.value, to_status=c.after.value)
        for c in outcome.status_changes
    ]
    return ActionResult(task=task, reviews=[ReviewRead.model_validate(r) for r in made], status_changes=moved)
