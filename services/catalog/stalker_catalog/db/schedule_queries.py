"""Reads and writes of schedule jobs, their parts and the dates a run computed (set-based: a run of
15,000 tasks is applied in a few statements)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import (
    Project,
    ScheduleJob,
    ScheduleJobPart,
    Task,
    task_computed_resource,
    task_resource,
)
from stalker_shared.contracts.scheduling import ScheduleCompleted
from stalker_shared.db import utcnow

# Core tables for set-based updates of computed dates.
TASKS = cast(Table, Task.__table__)
PROJECTS = cast(Table, Project.__table__)
PARTS = cast(Table, ScheduleJobPart.__table__)
CHUNK = 5000


async def queued_job(session: AsyncSession, studio_id: int) -> ScheduleJob | None:
    """The studio's queued run that a new request joins (what-if runs are never joined), if any."""
    return await session.scalar(
        select(ScheduleJob).where(
            ScheduleJob.studio_id == studio_id,
            ScheduleJob.status == "queued",
            ScheduleJob.scenario_status.is_(None),
        )
    )


async def next_queued_job(session: AsyncSession, studio_id: int) -> ScheduleJob | None:
    """The studio's oldest queued job, if any."""
    return await session.scalar(
        select(ScheduleJob)
        .where(ScheduleJob.studio_id == studio_id, ScheduleJob.status == "queued")
        .order_by(ScheduleJob.id)
        .limit(1)
    )


async def running_job_id(session: AsyncSession, studio_id: int) -> int | None:
    return await session.scalar(
        select(ScheduleJob.id).where(ScheduleJob.studio_id == studio_id, ScheduleJob.status == "running")
    )


async def write_computed_dates(session: AsyncSession, result: ScheduleCompleted) -> None:
    """The result's computed dates on its tasks (each task's revision moves on) and projects."""
    if result.tasks:
        await session.execute(
            update(TASKS)
            .where(TASKS.c.id == bindparam("task_id"))
            .values(
                computed_start=bindparam("b_start"),
                computed_end=bindparam("b_end"),
                revision=TASKS.c.revision + 1,
            ),
            [{"task_id": t.id, "b_start": t.computed_start, "b_end": t.computed_end} for t in result.tasks],
        )


async def write_project_dates(session: AsyncSession, result: ScheduleCompleted) -> None:
    if result.projects:
        await session.execute(
            update(PROJECTS)
            .where(PROJECTS.c.id == bindparam("project_id"))
            .values(computed_start=bindparam("b_start"), computed_end=bindparam("b_end")),
            [
                {"project_id": p.id, "b_start": p.computed_start, "b_end": p.computed_end}
                for p in result.projects
            ],
        )


async def replace_computed_resources(
    session: AsyncSession, result: ScheduleCompleted, *, from_tj3: bool
) -> None:
    """Only the tasks of this run: other projects' computed resources are not touched. From tj3's
    bookings, or (`from_tj3` False) each task's own resources."""
    ids = [t.id for t in result.tasks]
    table = task_computed_resource
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        await session.execute(delete(table).where(table.c.task_id.in_(chunk)))
        if not from_tj3:
            own = select(task_resource.c.task_id, task_resource.c.user_id).where(
                task_resource.c.task_id.in_(chunk)
            )
            await session.execute(insert(table).from_select(["task_id", "user_id"], own))
    rows = [{"task_id": t.id, "user_id": u} for t in result.tasks for u in t.resource_ids]
    if from_tj3 and rows:
        await session.execute(insert(table), rows)


@dataclass(frozen=True)
class PlannedTask:
    """A task as the current plan has it."""

    name: str
    project_id: int
    computed_start: datetime | None
    computed_end: datetime | None
    resource_ids: list[int]
    computed_resource_ids: list[int]


async def plan_of(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, PlannedTask]:
    """The tasks' current dates and who does them, by id (a few queries per 5,000 tasks)."""
    planned: dict[int, PlannedTask] = {}
    for start in range(0, len(task_ids), CHUNK):
        chunk = list(task_ids[start : start + CHUNK])
        rows = await session.execute(
            select(Task.id, Task.name, Task.project_id, Task.computed_start, Task.computed_end).where(
                Task.id.in_(chunk)
            )
        )
        for task_id, name, project_id, computed_start, computed_end in rows:
            planned[task_id] = PlannedTask(name, project_id, computed_start, computed_end, [], [])
        found = [task_id for task_id in chunk if task_id in planned]  # the caller sees, and still exist
        for table, attribute in (
            (task_resource, "resource_ids"),
            (task_computed_resource, "computed_resource_ids"),
        ):
            links = await session.execute(
                select(table.c.task_id, table.c.user_id)
                .where(table.c.task_id.in_(found))
                .order_by(table.c.task_id, table.c.user_id)
            )
            for task_id, user_id in links:
                getattr(planned[task_id], attribute).append(user_id)
    return planned


async def project_ends(
    session: AsyncSession, project_ids: Sequence[int], *, computed: bool = False
) -> dict[int, datetime]:
    """The projects' own ends (deadlines), or with `computed` the ends the plan gives them, where set."""
    column = Project.computed_end if computed else Project.end
    rows = await session.execute(select(Project.id, column).where(Project.id.in_(project_ids)))
    return {project_id: end for project_id, end in rows if end is not None}


async def completed_parts(session: AsyncSession, job_id: int) -> int:
    statement = select(func.count()).where(PARTS.c.job_id == job_id, PARTS.c.status == "completed")
    return await session.scalar(statement) or 0


async def claim_part(session: AsyncSession, job_id: int, part: int, status: str, **outcome: object) -> bool:
    """Move a running part to `status` with its `outcome` columns; False when it was not running."""
    moved = await session.execute(
        update(PARTS)
        .where(PARTS.c.job_id == job_id, PARTS.c.part == part, PARTS.c.status == "running")
        .values(status=status, finished_at=utcnow(), **outcome)
    )
    return bool(getattr(moved, "rowcount", 0) == 1)


async def part_outcomes(session: AsyncSession, job_id: int) -> Sequence[Row[Any, Any, Any]]:
    """(tasks_scheduled, timings, problems) of the job's parts, by part."""
    statement = (
        select(PARTS.c.tasks_scheduled, PARTS.c.timings, PARTS.c.problems)
        .where(PARTS.c.job_id == job_id)
        .order_by(PARTS.c.part)
    )
    return (await session.execute(statement)).all()


async def part_project_codes(session: AsyncSession, job_id: int, part: int) -> Sequence[str]:
    """The codes of the projects of one part, by project id."""
    project_ids = await session.scalar(
        select(PARTS.c.project_ids).where(PARTS.c.job_id == job_id, PARTS.c.part == part)
    )
    statement = select(Project.code).where(Project.id.in_(project_ids or [])).order_by(Project.id)
    return (await session.scalars(statement)).all()


async def applied_parts(session: AsyncSession, job_id: int) -> Sequence[int]:
    """The job's completed parts, by number."""
    statement = (
        select(PARTS.c.part)
        .where(PARTS.c.job_id == job_id, PARTS.c.status == "completed")
        .order_by(PARTS.c.part)
    )
    return (await session.scalars(statement)).all()


async def drop_running_parts(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(PARTS).where(PARTS.c.job_id == job_id, PARTS.c.status == "running").values(status="dropped")
    )
