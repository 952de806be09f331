"""Scheduling a studio: requests become jobs, one run per studio at a time, results applied once.

Coalescing (RELIABILITY API6): while a run is in flight, requests for the same studio merge into ONE
queued job (their project lists united); it is dispatched when the run ends, with a snapshot taken then,
so it sees every change made meanwhile. A result for a job that is not running (stale, repeated) changes
nothing.

Parts: a run is split into independent groups of projects (no user shared; schedule_groups.split_request),
one ScheduleRequested each, so several scheduler replicas share the work. Each part's result is applied in
its own transaction, at most once (ScheduleJobPart's status moves once); the job completes when every part
is in. A failed part fails the job at once and frees the studio: dates of parts already applied stay (each
group's dates do not depend on the others'), results of the remaining parts are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stalker_catalog.db import schedule_queries
from stalker_catalog.db.models import (
    Project,
    ScheduleJob,
    ScheduleJobPart,
    Studio,
)
from stalker_catalog.db.repository import get_many, get_one
from stalker_catalog.db.schedule_snapshot import build_schedule_request
from stalker_catalog.domain.errors import NotFound
from stalker_catalog.domain.schedule_groups import split_request
from stalker_catalog.service import what_if
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.contracts.scheduling import ScheduleCompleted, ScheduleFailed
from stalker_shared.db import utcnow
from stalker_shared.logging import get_logger
from stalker_shared.scope import without_scope
from stalker_shared.unit_of_work import UnitOfWork

_log = get_logger(__name__)


@dataclass(frozen=True)
class RequestSchedule:
    studio_id: int
    requested_by_id: int
    project_ids: tuple[int, ...] | None = None
    compute_resources: bool = False
    what_if: dict[str, Any] | None = None  # a what-if run: its imagined changes (service/what_if.py)


async def request_schedule(uow: UnitOfWork, command: RequestSchedule) -> ScheduleJob:
    session = uow.session
    studio = await get_one(session, Studio, command.studio_id, for_update=True)  # serializes requests
    if command.project_ids is not None:
        await get_many(session, Project, command.project_ids, "project_ids")
    if command.what_if is not None:
        await what_if.check_what_if(uow, command.what_if, command.project_ids)
    else:
        queued = await schedule_queries.queued_job(session, studio.id)
        if queued is not None:
            _merge(queued, command)
            return queued
    job = ScheduleJob(
        studio_id=studio.id,
        status="queued",
        project_ids=list(command.project_ids) if command.project_ids is not None else None,
        compute_resources=command.compute_resources,
        requested_by_id=command.requested_by_id,
        requested_at=utcnow(),
        what_if=command.what_if,
        scenario_status=what_if.PENDING if command.what_if is not None else None,
    )
    session.add(job)
    await session.flush()
    running = await schedule_queries.running_job_id(session, studio.id)
    if running is None:
        await _dispatch(uow, studio, job)
    return job


def _merge(job: ScheduleJob, command: RequestSchedule) -> None:
    if job.project_ids is None or command.project_ids is None:
        job.project_ids = None
    else:
        job.project_ids = sorted({*job.project_ids, *command.project_ids})
    job.compute_resources = job.compute_resources or command.compute_resources
    job.requests_merged += 1


async def _dispatch(uow: UnitOfWork, studio: Studio, job: ScheduleJob) -> None:
    """Start the job: take the studio's lock, snapshot it and ask the scheduler (through the outbox)."""
    now = utcnow()
    job.status, job.started_at = "running", now
    studio.is_scheduling, studio.is_scheduling_by_id, studio.scheduling_started_at = (
        True,
        job.requested_by_id,
        now,
    )
    await uow.session.flush()
    # The next queued job may start inside another caller's request (one that ended or cancelled a run):
    # its snapshot is the studio's, whatever that caller sees.
    with without_scope(uow.session):
        request = await build_schedule_request(
            uow.session,
            studio,
            job_id=job.id,
            project_ids=job.project_ids,
            compute_resources=job.compute_resources,
        )
        if job.what_if is not None:
            request = await what_if.imagined_request(uow, studio, job, request)
    parts = split_request(request)
    job.parts, job.parts_done = len(parts), 0
    for part in parts:
        uow.session.add(
            ScheduleJobPart(
                job_id=job.id,
                part=part.part,
                project_ids=[project.id for project in part.projects],
                tasks=len(part.tasks),
            )
        )
        await uow.publish(part)
    _log.info(
        "schedule dispatched", job_id=job.id, studio_id=studio.id, tasks=len(request.tasks), parts=len(parts)
    )


async def apply_completed(uow: UnitOfWork, _: Envelope, result: Contract) -> None:
    assert isinstance(result, ScheduleCompleted)
    job, studio = await _running_job(uow, result.job_id)
    if job is None or studio is None:
        return
    warnings = [w.model_dump(mode="json") for w in result.warnings] or None
    claimed = await _claim_part(
        uow,
        job,
        result,
        "completed",
        tasks_scheduled=len(result.tasks),
        timings=result.timings,
        problems=warnings,
    )
    if not claimed:
        return
    session = uow.session
    if job.what_if is not None:
        what_if.keep_part(job, result)  # a scenario: kept, not applied
    else:
        await schedule_queries.write_computed_dates(session, result)
        # Without compute_resources the reference keeps who does each task equal to its resources.
        await schedule_queries.replace_computed_resources(session, result, from_tj3=job.compute_resources)
        await schedule_queries.write_project_dates(session, result)
    job.parts_done = await schedule_queries.completed_parts(session, job.id)
    if job.parts_done < job.parts:
        _log.info("schedule part applied", job_id=job.id, part=result.part, parts=job.parts)
        return
    await _complete(uow, studio, job)


async def _claim_part(
    uow: UnitOfWork,
    job: ScheduleJob,
    result: ScheduleCompleted | ScheduleFailed,
    status: str,
    **outcome: object,
) -> bool:
    """Move the result's part from running to `status` with its `outcome` columns; False (nothing to do)
    when it already moved (a repeated result, or the job ended and dropped it)."""
    if result.parts != job.parts:
        # Not a result of this job's dispatch (a bug or a forged message): the job waits for its own
        # parts; an admin can cancel it.
        _log.error("schedule result for another split ignored", job_id=job.id, parts=result.parts)
        return False
    if not await schedule_queries.claim_part(uow.session, job.id, result.part, status, **outcome):
        _log.info("repeated schedule part result ignored", job_id=job.id, part=result.part)
        return False
    return True


async def _complete(uow: UnitOfWork, studio: Studio, job: ScheduleJob) -> None:
    """Every part is in: the job's figures are its parts' (timings summed per phase: work, not wall time)."""
    rows = await schedule_queries.part_outcomes(uow.session, job.id)
    timings: dict[str, float] = {}
    problems: list[dict[str, object]] = []
    for row in rows:
        for phase, seconds in (row.timings or {}).items():
            timings[phase] = timings.get(phase, 0.0) + seconds
        problems += row.problems or []
    message = "; ".join(str(problem["message"]) for problem in problems)
    await _finish(uow, studio, job, "completed", message)
    job.timings, job.tasks_scheduled = timings, sum(row.tasks_scheduled or 0 for row in rows)
    job.problems = problems or None
    if job.what_if is not None:
        job.scenario_status = what_if.READY


async def apply_failed(uow: UnitOfWork, _: Envelope, result: Contract) -> None:
    assert isinstance(result, ScheduleFailed)
    job, studio = await _running_job(uow, result.job_id)
    if job is None or studio is None:
        return
    problems = [p.model_dump(mode="json") for p in result.problems] or None
    if not await _claim_part(uow, job, result, "failed", problems=problems):
        return
    message = result.message
    if job.parts > 1:
        codes = await schedule_queries.part_project_codes(uow.session, job.id, result.part)
        message = f"part {result.part + 1} of {job.parts} (projects {', '.join(codes)}) failed: {message}"
        applied = await schedule_queries.applied_parts(uow.session, job.id)
        if applied:
            numbers = ", ".join(str(part + 1) for part in applied)
            message += f" (the dates of part {numbers}, already applied, stay)"
    await _finish(uow, studio, job, "failed", message)
    job.problems = problems


async def _running_job(uow: UnitOfWork, job_id: int) -> tuple[ScheduleJob | None, Studio | None]:
    job = await uow.session.get(ScheduleJob, job_id, with_for_update=True)
    if job is None or job.status != "running":
        _log.info("stale or repeated schedule result ignored", job_id=job_id)
        return None, None
    return job, await get_one(uow.session, Studio, job.studio_id, for_update=True)


async def _finish(uow: UnitOfWork, studio: Studio, job: ScheduleJob, status: str, message: str) -> None:
    now = utcnow()
    job.status, job.finished_at, job.message = status, now, message
    if status == "failed" and job.what_if is not None:
        job.scenario_status, job.scenario = "failed", None
    studio.is_scheduling, studio.is_scheduling_by_id = False, None
    studio.last_scheduled_at, studio.last_scheduled_by_id = now, job.requested_by_id
    studio.last_schedule_message = message
    # Parts still out are dropped: their results, should they come, find no running part to apply.
    await schedule_queries.drop_running_parts(uow.session, job.id)
    await uow.session.flush()
    waiting = await schedule_queries.next_queued_job(uow.session, studio.id)
    if waiting is not None:
        await _dispatch(uow, studio, waiting)


async def cancel_job(uow: UnitOfWork, job_id: int) -> ScheduleJob:
    """An admin's way out of a run whose result will never come (a lost scheduler): release the lock."""
    job = await uow.session.get(ScheduleJob, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"no schedule job with id {job_id}")
    if job.status in ("queued", "running"):
        studio = await get_one(uow.session, Studio, job.studio_id, for_update=True)
        if job.status == "running":
            await _finish(uow, studio, job, "failed", "cancelled by an admin")
        else:
            job.status, job.finished_at, job.message = "failed", utcnow(), "cancelled by an admin"
            if job.what_if is not None:
                job.scenario_status = "failed"
    return job


async def snapshot(uow: UnitOfWork, studio_id: int, project_ids: Sequence[int] | None) -> Contract:
    """The snapshot a run would send now (job id 0), for TJP previews."""
    studio = await get_one(uow.session, Studio, studio_id)
    if project_ids is not None:
        await get_many(uow.session, Project, project_ids, "project_ids")
    return await build_schedule_request(
        uow.session, studio, job_id=0, project_ids=project_ids, compute_resources=False
    )
