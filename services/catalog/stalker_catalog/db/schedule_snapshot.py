"""The snapshot of a studio that tj3 needs, read with a few set-based queries (15,000 tasks stay cheap).

Every time log goes to tj3 as a booking of its resource on its task, so a reschedule keeps logged work
where it was done and places only the rest after `now` (reference §4.1, §6.4). All of a task's logs are
sent whatever its status: a completed or stopped task's timing was clamped to them, so they are its span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import (
    Holiday,
    Project,
    Studio,
    Task,
    TaskDependency,
    TimeLog,
    User,
    Vacation,
    task_alternative_resource,
    task_resource,
)
from stalker_shared.contracts.scheduling import (
    Booking,
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleRequested,
    StudioSnapshot,
    TaskSnapshot,
)
from stalker_shared.contracts.scheduling import TaskDependency as DependencySnapshot
from stalker_shared.contracts.scheduling import (
    Vacation as Leave,
)
from stalker_shared.db import utcnow

TASK_COLUMNS = (
    Task.id,
    Task.project_id,
    Task.parent_id,
    Task.name,
    Task.kind,
    Task.priority,
    Task.schedule_timing,
    Task.schedule_unit,
    Task.schedule_model,
    Task.schedule_constraint,
    Task.start,
    Task.end,
    Task.is_milestone,
    Task.allocation_strategy,
    Task.persistent_allocation,
)


def studio_snapshot(studio: Studio, now: datetime | None = None) -> StudioSnapshot:
    return StudioSnapshot(
        id=studio.id,
        name=studio.name,
        timezone=studio.time_zone,
        timing_resolution=studio.timing_resolution_minutes,
        daily_working_hours=studio.daily_working_hours,
        working_hours={day: tuple(tuple(r) for r in ranges) for day, ranges in studio.working_hours.items()},
        now=studio.now or now or utcnow(),
        start=studio.start,
        end=studio.end,
    )


async def build_schedule_request(
    session: AsyncSession,
    studio: Studio,
    *,
    job_id: int,
    project_ids: Sequence[int] | None,
    compute_resources: bool,
) -> ScheduleRequested:
    """Everything tj3 needs for the studio's projects (all of them when project_ids is None)."""
    project_query = select(Project.id, Project.code, Project.name).order_by(Project.id)
    if project_ids is not None:
        project_query = project_query.where(Project.id.in_(project_ids))
    projects = (await session.execute(project_query)).all()
    ids = [p.id for p in projects]
    tasks = (
        await session.execute(select(*TASK_COLUMNS).where(Task.project_id.in_(ids)).order_by(Task.id))
    ).all()
    links = await _task_links(session, ids)
    users = (
        await session.execute(
            select(User.id, User.name, User.login, User.efficiency, User.working_hours).order_by(User.id)
        )
    ).all()
    leave = await _leave(session, studio)
    return ScheduleRequested(
        job_id=job_id,
        studio=studio_snapshot(studio),
        resources=tuple(
            ResourceSnapshot(
                id=u.id,
                name=u.name,
                login=u.login,
                efficiency=max(u.efficiency, 0.01),
                vacations=tuple(leave.get(u.id, ())),
                working_hours=u.working_hours,
            )
            for u in users
        ),
        vacations=tuple(leave.get(None, ())),
        projects=tuple(ProjectSnapshot(id=p.id, code=p.code, name=p.name) for p in projects),
        tasks=tuple(_task_snapshot(row, links) for row in tasks),
        compute_resources=compute_resources,
    )


async def _leave(session: AsyncSession, studio: Studio) -> dict[int | None, list[Leave]]:
    """Vacations meeting the studio's frame by user (None: the whole studio's), in time order, and the
    public holidays as the whole studio's leave, each its whole day in the studio's zone."""
    leave: dict[int | None, list[Leave]] = defaultdict(list)
    rows = await session.execute(
        select(Vacation.user_id, Vacation.start, Vacation.end)
        .where(Vacation.end > studio.start, Vacation.start < studio.end)
        .order_by(Vacation.start, Vacation.id)
    )
    for user_id, start, end in rows:
        leave[user_id].append(Leave(start=start, end=end))
    zone = ZoneInfo(studio.time_zone)
    first, last = studio.start.astimezone(zone).date(), studio.end.astimezone(zone).date()
    days = await session.scalars(
        select(Holiday.date).where(Holiday.date >= first, Holiday.date <= last).order_by(Holiday.date)
    )
    for day in days:
        start = datetime.combine(day, time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
        leave[None].append(Leave(start=start, end=end))
    return leave


async def _task_links(session: AsyncSession, project_ids: list[int]) -> dict[str, dict[int, list[Any]]]:
    in_projects = Task.project_id.in_(project_ids)
    links: dict[str, dict[int, list[Any]]] = {
        "resources": defaultdict(list),
        "alternatives": defaultdict(list),
    }
    for name, table in (("resources", task_resource), ("alternatives", task_alternative_resource)):
        rows = await session.execute(
            select(table.c.task_id, table.c.user_id)
            .join(Task, Task.id == table.c.task_id)
            .where(in_projects)
            .order_by(table.c.task_id, table.c.user_id)
        )
        for task_id, user_id in rows:
            links[name][task_id].append(user_id)
    dependencies: dict[int, list[Any]] = defaultdict(list)
    rows = await session.execute(
        select(TaskDependency).join(Task, Task.id == TaskDependency.task_id).where(in_projects)
    )
    for dependency in rows.scalars():
        dependencies[dependency.task_id].append(
            DependencySnapshot(
                depends_on_id=dependency.depends_on_id,
                target=dependency.target,
                gap_timing=dependency.gap_timing,
                gap_unit=dependency.gap_unit,
                gap_model="duration" if dependency.gap_model == "duration" else "length",
            )
        )
    links["dependencies"] = dependencies
    links["bookings"] = await _bookings(session, project_ids)
    return links


async def _bookings(session: AsyncSession, project_ids: list[int]) -> dict[int, list[Any]]:
    """Each task's time logs as bookings, in time order: one query for every project."""
    bookings: dict[int, list[Any]] = defaultdict(list)
    rows = await session.execute(
        select(TimeLog.task_id, TimeLog.resource_id, TimeLog.start, TimeLog.end)
        .where(TimeLog.project_id.in_(project_ids))
        .order_by(TimeLog.task_id, TimeLog.start, TimeLog.id)
    )
    for task_id, resource_id, start, end in rows:
        bookings[task_id].append(Booking(resource_id=resource_id, start=start, end=end))
    return bookings


def _task_snapshot(row: Any, links: dict[str, dict[int, list[Any]]]) -> TaskSnapshot:
    return TaskSnapshot(
        id=row.id,
        project_id=row.project_id,
        parent_id=row.parent_id,
        name=row.name,
        kind=row.kind,
        priority=row.priority,
        schedule_timing=row.schedule_timing,
        schedule_unit=row.schedule_unit,
        schedule_model=row.schedule_model,
        schedule_constraint=row.schedule_constraint,
        start=row.start,
        end=row.end,
        is_milestone=row.is_milestone,
        resources=tuple(links["resources"].get(row.id, ())),
        alternative_resources=tuple(links["alternatives"].get(row.id, ())),
        allocation_strategy=row.allocation_strategy,
        persistent_allocation=row.persistent_allocation,
        dependencies=tuple(links["dependencies"].get(row.id, ())),
        bookings=tuple(links["bookings"].get(row.id, ())),
    )
