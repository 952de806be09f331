"""Scheduling over HTTP: a request answers 202 with the job's URL at once; tj3 runs on a worker."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import Select, select
from sqlalchemy.orm.exc import StaleDataError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from stalker_catalog.api.read_models import JOB_LIST
from stalker_catalog.api.schemas.scheduling import ScenarioRead, ScheduleJobRead, ScheduleRequestBody
from stalker_catalog.db.models import ScheduleJob
from stalker_catalog.service import scheduling, what_if
from stalker_shared.access import Access, Operation
from stalker_shared.errors import NotFound
from stalker_shared.listing import (
    ListParams,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import Caller, RuntimeDep, Work, caller
from stalker_shared.types import Id, IdCsv
from stalker_shared.unit_of_work import UnitOfWork


def scheduling_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["scheduling"], dependencies=[Depends(caller)])

    @router.post(
        "/studios/{studio_id}/schedule",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ScheduleJobRead,
        summary="Schedule the studio (all projects, or the ones named); follow the job at its URL",
    )
    async def request_schedule(
        runtime: RuntimeDep,
        studio_id: Id,
        body: ScheduleRequestBody,
        response: Response,
        access: Caller,
    ) -> ScheduleJobRead:
        if body.project_ids is None:
            access.require_admin()  # the whole studio
        else:
            access.require_all(Operation.SCHEDULE, body.project_ids)
        command = scheduling.RequestSchedule(
            studio_id=studio_id,
            requested_by_id=access.user_id,
            project_ids=tuple(body.project_ids) if body.project_ids is not None else None,
            compute_resources=body.compute_resources,
            what_if=body.what_if.model_dump(mode="json") if body.what_if is not None else None,
        )
        # The studio row also changes when a run ends; where the database cannot lock it (SQLite, the
        # embedded mode) the two may cross: the whole command is then simply run again.
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(StaleDataError), stop=stop_after_attempt(3), reraise=True
        ):
            with attempt:
                async with runtime.unit_of_work() as uow:
                    job = await scheduling.request_schedule(uow, command)
                    await uow.commit()
        response.headers["Location"] = f"{runtime.definition.prefix}/v1/schedule-jobs/{job.id}"
        return ScheduleJobRead.model_validate(job)

    @router.get("/schedule-jobs", response_model=Page[ScheduleJobRead], description=JOB_LIST.describe())
    async def list_jobs(
        uow: Work, params: Annotated[ListParams, Depends(list_params)]
    ) -> Page[ScheduleJobRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, await _visible_jobs(uow), JOB_LIST, params)
        page = make_page([_job_read(uow, j) for j in rows], total, params)
        return page_response(page, params, ScheduleJobRead)

    @router.get("/schedule-jobs/{job_id}", response_model=ScheduleJobRead)
    async def get_job(uow: Work, job_id: Id) -> ScheduleJobRead:
        return _job_read(uow, await _visible_job(uow, job_id))

    @router.post(
        "/schedule-jobs/{job_id}/cancel",
        response_model=ScheduleJobRead,
        summary="Give up on a queued or running job and release the studio's lock (admins, and the "
        "job's requester)",
    )
    async def cancel_job(uow: Work, job_id: Id) -> ScheduleJobRead:
        job = await _visible_job(uow, job_id)
        if job.requested_by_id != uow.access.user_id:
            if job.project_ids is None:
                uow.access.require_admin()
            uow.access.require_all(Operation.SCHEDULE, job.project_ids or ())
        return ScheduleJobRead.model_validate(await scheduling.cancel_job(uow, job_id))

    @router.get(
        "/schedule-jobs/{job_id}/scenario",
        response_model=ScenarioRead,
        summary="A what-if run's scenario against the current plan: the tasks it moves and by how much",
    )
    async def get_scenario(uow: Work, job_id: Id) -> ScenarioRead:
        job = await _visible_job(uow, job_id)
        return ScenarioRead.model_validate(await what_if.scenario_view(uow, job))

    @router.post(
        "/schedule-jobs/{job_id}/apply",
        response_model=ScheduleJobRead,
        summary="Make a what-if run's changes and its dates the plan, at once; 409 if anything it was "
        "computed from has changed since",
    )
    async def apply_scenario(uow: Work, job_id: Id) -> ScheduleJobRead:
        _may_run(uow.access, await _visible_job(uow, job_id))
        return ScheduleJobRead.model_validate(await what_if.apply_scenario(uow, job_id))

    @router.post("/schedule-jobs/{job_id}/drop", response_model=ScheduleJobRead, summary="Drop a scenario")
    async def drop_scenario(uow: Work, job_id: Id) -> ScheduleJobRead:
        _may_run(uow.access, await _visible_job(uow, job_id))
        return ScheduleJobRead.model_validate(await what_if.drop_scenario(uow, job_id))

    @router.get(
        "/studios/{studio_id}/snapshot",
        summary="What a schedule run would send to tj3 now (the scheduler renders TJP text from it)",
    )
    async def studio_snapshot(
        uow: Work,
        studio_id: Id,
        project_ids: Annotated[
            IdCsv | None, Query(description="Comma separated; by default every project the caller sees")
        ] = None,
    ) -> JSONResponse:
        ids = [int(p) for p in project_ids.split(",") if p] if project_ids else None
        if ids is None and uow.access.project_ids is not None:
            ids = sorted(uow.access.project_ids)
        request = await scheduling.snapshot(uow, studio_id, ids)
        return JSONResponse(request.model_dump(mode="json"))

    return router


def _job_read(uow: UnitOfWork, job: ScheduleJob) -> ScheduleJobRead:
    """The job; a what-if run's changes (tasks and projects of every project it schedules) only for
    admins and its requester."""
    read = ScheduleJobRead.model_validate(job)
    if read.what_if is not None and not what_if.may_see_changes(uow, job):
        read.what_if = {}
    return read


def _may_run(access: Access, job: ScheduleJob) -> None:
    """What may request the job's run: admins for the whole studio, producers for their projects."""
    if job.project_ids is None:
        access.require_admin()
    else:
        access.require_all(Operation.SCHEDULE, job.project_ids)


async def _visible_jobs(uow: UnitOfWork) -> Select[ScheduleJob]:
    """Admins see every job; others the jobs they asked for and the jobs that schedule any of their
    projects (a request can join a job another user queued)."""
    statement = select(ScheduleJob)
    access = uow.access
    if access.is_admin:
        return statement
    mine = access.project_ids or frozenset()
    rows = await uow.session.execute(
        select(ScheduleJob.id, ScheduleJob.requested_by_id, ScheduleJob.project_ids).where(
            ScheduleJob.project_ids.is_not(None) | (ScheduleJob.requested_by_id == access.user_id)
        )
    )
    visible = [
        job_id
        for job_id, requester, projects in rows.all()
        if requester == access.user_id or not mine.isdisjoint(projects or ())
    ]
    return statement.where(ScheduleJob.id.in_(visible))


async def _visible_job(uow: UnitOfWork, job_id: Id) -> ScheduleJob:
    job = await uow.session.scalar((await _visible_jobs(uow)).where(ScheduleJob.id == job_id))
    if job is None:
        raise NotFound(f"no schedule job with id {job_id}")
    return job
