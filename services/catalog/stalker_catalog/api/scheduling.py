"""Scheduling over HTTP: a request answers 202 with the job's URL at once; tj3 runs on a worker."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from stalker_catalog.api.listing import (
    ListParams,
    ListSpec,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_catalog.api.schemas.scheduling import ScheduleJobRead, ScheduleRequestBody
from stalker_catalog.db.models import ScheduleJob
from stalker_catalog.db.repository import get_one
from stalker_catalog.service import scheduling
from stalker_shared.auth import Principal
from stalker_shared.runtime import Runtime

JOB_LIST = ListSpec(
    {"id": ScheduleJob.id, "studio_id": ScheduleJob.studio_id, "status": ScheduleJob.status},
    default_sort=("-id",),
)


def scheduling_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["scheduling"], dependencies=[Depends(runtime.auth.user)])

    @router.post(
        "/studios/{studio_id}/schedule",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ScheduleJobRead,
        summary="Schedule the studio (all projects, or the ones named); follow the job at its URL",
    )
    async def request_schedule(
        studio_id: int,
        body: ScheduleRequestBody,
        response: Response,
        principal: Annotated[Principal, Depends(runtime.auth.user)],
    ) -> ScheduleJobRead:
        command = scheduling.RequestSchedule(
            studio_id=studio_id,
            requested_by_id=principal.user_id,
            project_ids=tuple(body.project_ids) if body.project_ids is not None else None,
            compute_resources=body.compute_resources,
        )
        # The studio row also changes when a run ends; where the database cannot lock it (SQLite, the
        # embedded mode) the two may cross: the whole command is then simply run again.
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(StaleDataError), stop=stop_after_attempt(3), reraise=True
        ):
            with attempt:
                async with runtime.unit_of_work() as uow:
                    job = await scheduling.request_schedule(uow, command)
        response.headers["Location"] = f"{runtime.definition.prefix}/v1/schedule-jobs/{job.id}"
        return ScheduleJobRead.model_validate(job)

    @router.get("/schedule-jobs", response_model=Page[ScheduleJobRead], description=JOB_LIST.describe())
    async def list_jobs(
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[ScheduleJobRead] | JSONResponse:
        async with runtime.unit_of_work() as uow:
            rows, total = await fetch_page(uow.session, select(ScheduleJob), JOB_LIST, params)
        page = make_page([ScheduleJobRead.model_validate(j) for j in rows], total, params)
        return page_response(page, params, ScheduleJobRead)

    @router.get("/schedule-jobs/{job_id}", response_model=ScheduleJobRead)
    async def get_job(job_id: int) -> ScheduleJobRead:
        async with runtime.unit_of_work() as uow:
            return ScheduleJobRead.model_validate(await get_one(uow.session, ScheduleJob, job_id))

    @router.post(
        "/schedule-jobs/{job_id}/cancel",
        response_model=ScheduleJobRead,
        dependencies=[Depends(runtime.auth.admin)],
        summary="Give up on a queued or running job and release the studio's lock",
    )
    async def cancel_job(job_id: int) -> ScheduleJobRead:
        async with runtime.unit_of_work() as uow:
            return ScheduleJobRead.model_validate(await scheduling.cancel_job(uow, job_id))

    @router.get(
        "/studios/{studio_id}/snapshot",
        summary="What a schedule run would send to tj3 now (the scheduler renders TJP text from it)",
    )
    async def studio_snapshot(
        studio_id: int, project_ids: Annotated[str | None, Query(description="Comma separated")] = None
    ) -> JSONResponse:
        ids = [int(p) for p in project_ids.split(",") if p] if project_ids else None
        async with runtime.unit_of_work() as uow:
            request = await scheduling.snapshot(uow, studio_id, ids)
        return JSONResponse(request.model_dump(mode="json"))

    return router
