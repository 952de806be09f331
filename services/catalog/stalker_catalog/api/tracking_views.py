"""Read views of production tracking: a project's progress and review inbox, a user's tasks (as resource,
responsible or watcher) and their week's time sheet. Each shows only the projects the caller may see."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from stalker_catalog.api.read_models import TASK_LIST, TASK_ROW, task_rows_values
from stalker_catalog.api.schemas.tasks import TaskRead
from stalker_catalog.api.schemas.tracking import (
    InboxRead,
    ProgressRead,
    ReviewRead,
    SheetDay,
    TimeLogRead,
    TimeSheetRead,
)
from stalker_catalog.db.people import User
from stalker_catalog.db.projects import Project
from stalker_catalog.db.studio_queries import studio_calendar
from stalker_catalog.db.tasks import Task
from stalker_catalog.db.tracking_queries import (
    PLANNED,
    logs_between,
    project_leaves,
    tasks_of_user,
    waiting_reviews,
)
from stalker_catalog.domain.calendar import WEEKDAYS
from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.progress import NONE, leaf_progress
from stalker_shared.db import utcnow
from stalker_shared.listing import ListParams, Page, fetch_rows, json_page, list_params
from stalker_shared.repository import get_one
from stalker_shared.requests import Work
from stalker_shared.types import Id, Instant

ASSIGNMENTS = ("resource", "responsible", "watcher")
USER_TASKS = dataclasses.replace(TASK_LIST, query=frozenset({"as", "window_start", "window_end"}))


def tracking_views_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/projects/{project_id}/progress", response_model=ProgressRead, tags=["projects"])
    async def project_progress(uow: Work, project_id: Id) -> ProgressRead:
        await get_one(uow.session, Project, project_id)
        calendar, now = await studio_calendar(uow.session), utcnow()
        total = NONE
        for leaf in await project_leaves(uow.session, project_id):
            total = total + leaf_progress(leaf, calendar, now)
        return ProgressRead.of(total)

    @router.get("/projects/{project_id}/review-inbox", response_model=list[InboxRead], tags=["reviews"])
    async def review_inbox(uow: Work, project_id: Id) -> list[InboxRead]:
        """The reviews waiting (NEW), by reviewer, oldest first."""
        await get_one(uow.session, Project, project_id)
        inbox: dict[int, list[ReviewRead]] = {}
        for review in await waiting_reviews(uow.session, project_id):
            inbox.setdefault(review.reviewer_id, []).append(ReviewRead.model_validate(review))
        return [InboxRead(reviewer_id=r, reviews=items) for r, items in inbox.items()]

    @router.get(
        "/users/{user_id}/tasks",
        response_model=Page[TaskRead],
        tags=["users"],
        description="The user's tasks. " + TASK_LIST.describe(),
    )
    async def user_tasks(
        uow: Work,
        user_id: Id,
        params: Annotated[ListParams, Depends(list_params)],
        as_: Annotated[
            str,
            Query(alias="as", max_length=64, description="resource, responsible, watcher (comma separated)"),
        ] = ",".join(ASSIGNMENTS),
        window_start: Annotated[Instant | None, Query(description="Tasks planned to end after this")] = None,
        window_end: Annotated[Instant | None, Query(description="Tasks planned to start before this")] = None,
    ) -> Response:
        await get_one(uow.session, User, user_id)
        roles = [r.strip() for r in as_.split(",") if r.strip()]
        unknown = set(roles) - set(ASSIGNMENTS)
        if unknown or not roles:
            raise ValidationFailed(f"as must name some of {', '.join(ASSIGNMENTS)} (got {as_!r})", field="as")
        statement = select(*TASK_ROW).where(Task.id.in_(tasks_of_user(user_id, roles)))
        planned_start, planned_end = PLANNED
        if window_end is not None:
            statement = statement.where(planned_start < window_end)
        if window_start is not None:
            statement = statement.where(planned_end > window_start)
        rows, total = await fetch_rows(uow.session, statement, USER_TASKS, params)
        return json_page(await task_rows_values(uow.session, rows), total, params, TaskRead)

    @router.get("/users/{user_id}/time-sheet", response_model=TimeSheetRead, tags=["time logs"])
    async def time_sheet(
        uow: Work,
        user_id: Id,
        week: Annotated[
            date | None, Query(description="Any day of the week (the studio's weeks start on Monday)")
        ] = None,
    ) -> TimeSheetRead:
        await get_one(uow.session, User, user_id)
        calendar = await studio_calendar(uow.session)
        zone = calendar.tzinfo
        day = week or utcnow().astimezone(zone).date()
        if not date(1900, 1, 8) <= day <= date(2199, 12, 24):
            raise ValidationFailed(f"week must be a day from 1900 to 2199 (got {day})", field="week")
        monday = day - timedelta(days=day.weekday())
        bounds = [datetime.combine(monday + timedelta(days=n), time(), zone) for n in range(8)]
        logs = await logs_between(uow.session, uow.access, user_id, bounds[0], bounds[-1])
        days = []
        for n in range(7):
            seconds = sum(_overlap(log.start, log.end, bounds[n], bounds[n + 1]) for log in logs)
            days.append(SheetDay(date=monday + timedelta(days=n), seconds=seconds))
        working = sum(end - start for d in WEEKDAYS for start, end in calendar.working_hours[d]) * 60
        total = sum(d.seconds for d in days)
        return TimeSheetRead(
            user_id=user_id,
            start=bounds[0],
            end=bounds[-1],
            days=days,
            total_seconds=total,
            working_seconds=working,
            percent_of_working_time=total / working * 100 if working else 0.0,
            time_logs=[TimeLogRead.model_validate(log) for log in logs],
        )

    return router


def _overlap(start: datetime, end: datetime, low: datetime, high: datetime) -> float:
    return max(0.0, (min(end, high) - max(start, low)).total_seconds())
