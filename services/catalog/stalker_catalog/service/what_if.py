"""What-if runs (issue 15, item 4): a schedule run with imagined changes computes a scenario and applies
nothing; the job keeps it. Its diff against the current plan is read at any time; it is applied
atomically (the changes made for real and its dates written, in one transaction) only if nothing it was
computed from has changed since, else 409 naming what changed; or it is dropped.

A what-if job goes through the studio's queue like any run (one run at a time), is never merged with
another request, and its parts' results are kept in `ScheduleJob.scenario` instead of being applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from stalker_catalog.db import schedule_queries
from stalker_catalog.db.calendars import Vacation
from stalker_catalog.db.models import Project, ScheduleJob, Studio, Task, User
from stalker_catalog.db.schedule_snapshot import build_schedule_request
from stalker_catalog.domain.calendar import check_leave
from stalker_catalog.domain.errors import Conflict, NotFound, ValidationFailed
from stalker_catalog.domain.tasks.commands import TaskChange
from stalker_catalog.domain.what_if import (
    Leave,
    WhatIf,
    changed_since,
    fingerprint,
    imagine,
    used_resources,
)
from stalker_catalog.service import calendars, projects, tasks
from stalker_shared.contracts.scheduling import (
    ProjectResult,
    ScheduleCompleted,
    ScheduleRequested,
    TaskResult,
)
from stalker_shared.db import utcnow
from stalker_shared.repository import get_one
from stalker_shared.scope import without_scope
from stalker_shared.unit_of_work import UnitOfWork

PENDING, READY, APPLIED, DROPPED = "pending", "ready", "applied", "dropped"


def parse_what_if(data: dict[str, Any]) -> WhatIf:
    """The stored JSON (api/schemas/scheduling.py WhatIfBody) as the domain's WhatIf."""
    return WhatIf(
        vacations_added=tuple(
            Leave(v["user_id"], _instant(v["start"]), _instant(v["end"])) for v in data["vacations_added"]
        ),
        vacations_cancelled=tuple(data["vacations_cancelled"]),
        resources_added=tuple((c["task_id"], c["user_id"]) for c in data["resources_added"]),
        resources_removed=tuple((c["task_id"], c["user_id"]) for c in data["resources_removed"]),
        project_ends=tuple((c["project_id"], _instant(c["end"])) for c in data["project_ends"]),
        timings=tuple((c["task_id"], c["schedule_timing"], c["schedule_unit"]) for c in data["timings"]),
        priorities=tuple((c["task_id"], c["priority"]) for c in data["priorities"]),
    )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def check_what_if(uow: UnitOfWork, data: dict[str, Any], project_ids: Sequence[int] | None) -> None:
    """Every id the changes name exists (tasks within the run's projects), every span is ordered."""
    session = uow.session
    for index, change in enumerate(data["vacations_added"]):
        field = f"what_if.vacations_added[{index}]"
        try:
            check_leave(_instant(change["start"]), _instant(change["end"]))
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field=f"{field}.{error.field}") from error
        if change["user_id"] is not None:
            await get_one(session, User, change["user_id"], field=f"{field}.user_id")
    for index, vacation_id in enumerate(data["vacations_cancelled"]):
        await get_one(session, Vacation, vacation_id, field=f"what_if.vacations_cancelled[{index}]")
    for kind in ("resources_added", "resources_removed", "timings", "priorities"):
        for index, change in enumerate(data[kind]):
            field = f"what_if.{kind}[{index}]"
            task = await get_one(session, Task, change["task_id"], field=f"{field}.task_id")
            if project_ids is not None and task.project_id not in project_ids:
                raise ValidationFailed(
                    f"task {task.id} is not in the projects this run schedules", field=f"{field}.task_id"
                )
            if "user_id" in change:
                await get_one(session, User, change["user_id"], field=f"{field}.user_id")
    for index, change in enumerate(data["project_ends"]):
        field = f"what_if.project_ends[{index}].project_id"
        await get_one(session, Project, change["project_id"], field=field)
        if project_ids is not None and change["project_id"] not in project_ids:
            raise ValidationFailed(
                f"project {change['project_id']} is not one this run schedules", field=field
            )


async def imagined_request(
    uow: UnitOfWork, studio: Studio, job: ScheduleJob, request: ScheduleRequested
) -> ScheduleRequested:
    """At dispatch: the request with the changes laid over it; the job keeps what it was computed from."""
    assert job.what_if is not None
    what_if = await _with_cancelled_leave(uow, parse_what_if(job.what_if))
    imagined = imagine(request, what_if)
    wanted = used_resources(request, imagined) | {v.user_id for v in what_if.vacations_added if v.user_id}
    wanted |= {leave.user_id for leave in what_if.cancelled_leave if leave.user_id}
    job.basis = fingerprint(request, now_pinned=studio.now is not None, resource_ids=wanted)
    job.basis["named"] = await _named_inputs(uow, what_if)
    return imagined


async def _named_inputs(uow: UnitOfWork, what_if: WhatIf) -> dict[str, Any]:
    """What the changes name outside the snapshot: the vacations they cancel (gone: null) and the ends
    of the projects they move (the scenario is judged against them)."""
    vacations = {}
    for vacation_id in what_if.vacations_cancelled:
        vacation = await uow.session.get(Vacation, vacation_id)
        vacations[str(vacation_id)] = (
            None
            if vacation is None
            else [vacation.user_id, vacation.start.isoformat(), vacation.end.isoformat(), vacation.revision]
        )
    named_projects = [project_id for project_id, _ in what_if.project_ends]
    ends = await schedule_queries.project_ends(uow.session, named_projects)
    projects = {str(project_id): _iso(ends.get(project_id)) for project_id in named_projects}
    return {"vacations": vacations, "project_ends": projects}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def _with_cancelled_leave(uow: UnitOfWork, what_if: WhatIf) -> WhatIf:
    cancelled = []
    for vacation_id in what_if.vacations_cancelled:
        vacation = await uow.session.get(Vacation, vacation_id)
        if vacation is not None:
            cancelled.append(Leave(vacation.user_id, vacation.start, vacation.end))
    return replace(what_if, cancelled_leave=tuple(cancelled))


def keep_part(job: ScheduleJob, result: ScheduleCompleted) -> None:
    """A part's dates into the job's scenario (a new dict: the JSON column sees the change)."""
    scenario = dict(job.scenario or {"tasks": {}, "projects": {}})
    scenario["tasks"] = {
        **scenario["tasks"],
        **{
            str(t.id): [t.computed_start.isoformat(), t.computed_end.isoformat(), list(t.resource_ids)]
            for t in result.tasks
        },
    }
    scenario["projects"] = {
        **scenario["projects"],
        **{str(p.id): [p.computed_start.isoformat(), p.computed_end.isoformat()] for p in result.projects},
    }
    job.scenario = scenario


async def scenario_view(uow: UnitOfWork, job: ScheduleJob) -> dict[str, Any]:
    """The scenario against the current plan: every task whose dates or resources differ, the tasks it
    ends after their project's end, and each project's end."""
    if job.scenario_status is None:
        raise NotFound(f"schedule job {job.id} is not a what-if run")
    assert job.what_if is not None
    what_if = parse_what_if(job.what_if)
    view: dict[str, Any] = {
        "job_id": job.id,
        "status": job.scenario_status,
        "what_if": job.what_if if may_see_changes(uow, job) else {},
        "tasks_moved": 0,
        "tasks_missing_project_end": [],
        "moves": [],
        "projects": [],
    }
    if job.scenario_status != READY:
        return view
    scenario = job.scenario or {"tasks": {}, "projects": {}}
    task_ids = [int(key) for key in scenario["tasks"]]
    plan = await schedule_queries.plan_of(uow.session, task_ids)
    deadlines = await schedule_queries.project_ends(uow.session, [int(key) for key in scenario["projects"]])
    deadlines.update(dict(what_if.project_ends))
    for task_id in sorted(task_ids):
        start_text, end_text, computed = scenario["tasks"][str(task_id)]
        current = plan.get(task_id)
        if current is None:
            continue  # deleted since, or of a project the caller does not see
        before = current.computed_resource_ids if current.computed_start else current.resource_ids
        after = computed if job.compute_resources else _assigned(current.resource_ids, task_id, what_if)
        start, end = _instant(start_text), _instant(end_text)
        deadline = deadlines.get(current.project_id)
        misses = deadline is not None and end > deadline
        if misses:
            view["tasks_missing_project_end"].append(task_id)
        if (start, end) == (current.computed_start, current.computed_end) and sorted(before) == sorted(after):
            continue
        view["moves"].append(
            {
                "task_id": task_id,
                "name": current.name,
                "project_id": current.project_id,
                "planned_start": current.computed_start,
                "planned_end": current.computed_end,
                "start": start,
                "end": end,
                "start_shift_hours": _shift(current.computed_start, start),
                "end_shift_hours": _shift(current.computed_end, end),
                "resources_before": sorted(before),
                "resources_after": sorted(after),
                "misses_project_end": misses,
            }
        )
    view["tasks_moved"] = len(view["moves"])
    planned_ends = await schedule_queries.project_ends(uow.session, list(deadlines), computed=True)
    for key, (_, end_text) in sorted(scenario["projects"].items(), key=lambda item: int(item[0])):
        project_id, end = int(key), _instant(end_text)
        if not uow.access.sees(project_id):
            continue
        deadline = deadlines.get(project_id)
        view["projects"].append(
            {
                "project_id": project_id,
                "planned_end": planned_ends.get(project_id),
                "end": end,
                "deadline": deadline,
                "misses_deadline": deadline is not None and end > deadline,
            }
        )
    return view


def may_see_changes(uow: UnitOfWork, job: ScheduleJob) -> bool:
    """The imagined changes name tasks and projects of every project the run schedules: shown to admins
    and to the requester, not to a member of only some of them."""
    return uow.access.is_admin or job.requested_by_id == uow.access.user_id


def _assigned(resources: Sequence[int], task_id: int, what_if: WhatIf) -> list[int]:
    removed = {user for task, user in what_if.resources_removed if task == task_id}
    added = [user for task, user in what_if.resources_added if task == task_id]
    return list(dict.fromkeys([*(r for r in resources if r not in removed), *added]))


def _shift(before: datetime | None, after: datetime) -> float | None:
    return None if before is None else round((after - before).total_seconds() / 3600, 4)


async def apply_scenario(uow: UnitOfWork, job_id: int) -> ScheduleJob:
    """Make the changes and write the scenario's dates, in this one transaction; 409 when anything the
    scenario was computed from has changed since, or a run is in flight."""
    job = await _scenario_job(uow, job_id)
    studio = await get_one(uow.session, Studio, job.studio_id, for_update=True)
    if studio.is_scheduling:
        raise Conflict("a schedule run is in flight: apply the scenario once it has ended", field="job_id")
    what_if = parse_what_if(job.what_if or {})
    basis = job.basis or {}
    with without_scope(uow.session):  # computed from the whole snapshot, as at dispatch
        request = await build_schedule_request(
            uow.session, studio, job_id=0, project_ids=job.project_ids, compute_resources=False
        )
        now = fingerprint(
            request, now_pinned=studio.now is not None, resource_ids=map(int, basis["resources"])
        )
        now["named"] = await _named_inputs(uow, what_if)
    changes = changed_since(basis, now)
    if changes:
        raise Conflict(
            "the data this scenario was computed from has changed since; run the what-if again",
            field="job_id",
            changed=changes,
        )
    await _make_changes(uow, what_if)
    result = _scenario_result(job)
    await schedule_queries.write_computed_dates(uow.session, result)
    await schedule_queries.replace_computed_resources(uow.session, result, from_tj3=job.compute_resources)
    await schedule_queries.write_project_dates(uow.session, result)
    job.scenario_status = APPLIED
    studio.last_scheduled_at, studio.last_scheduled_by_id = utcnow(), uow.access.user_id or None
    studio.last_schedule_message = f"what-if run {job.id} applied"
    await uow.session.flush()
    return job


async def drop_scenario(uow: UnitOfWork, job_id: int) -> ScheduleJob:
    job = await _scenario_job(uow, job_id)
    job.scenario_status, job.scenario = DROPPED, None
    await uow.session.flush()
    return job


async def _scenario_job(uow: UnitOfWork, job_id: int) -> ScheduleJob:
    job = await get_one(uow.session, ScheduleJob, job_id, for_update=True)
    if job.scenario_status is None:
        raise NotFound(f"schedule job {job_id} is not a what-if run", field="job_id")
    if job.scenario_status != READY:
        state = "still computing" if job.scenario_status == PENDING else job.scenario_status
        raise Conflict(
            f"the scenario of job {job_id} is {state}", field="job_id", scenario_status=job.scenario_status
        )
    return job


async def _make_changes(uow: UnitOfWork, what_if: WhatIf) -> None:
    """The imagined changes, made through the same handlers (and checks) as one by one."""
    for leave in what_if.vacations_added:
        await calendars.add_vacation(uow, calendars.AddVacation(leave.user_id, leave.start, leave.end))
    for vacation_id in what_if.vacations_cancelled:
        await calendars.delete_vacation(uow, vacation_id)
    fields: dict[int, dict[str, Any]] = {}
    touched = sorted(what_if.touched_tasks())
    current = await schedule_queries.plan_of(uow.session, touched)
    for task_id in touched:
        changed = fields.setdefault(task_id, {})
        if any(task == task_id for task, _ in (*what_if.resources_added, *what_if.resources_removed)):
            changed["resource_ids"] = _assigned(current[task_id].resource_ids, task_id, what_if)
    for task_id, timing, unit in what_if.timings:
        fields[task_id]["schedule_timing"] = timing
        if unit is not None:
            fields[task_id]["schedule_unit"] = unit
    for task_id, priority in what_if.priorities:
        fields[task_id]["priority"] = priority
    if fields:
        await tasks.update_tasks(uow, [TaskChange(task_id, changed) for task_id, changed in fields.items()])
    for project_id, end in what_if.project_ends:
        await projects.update_project(uow, project_id, {"end": end})


def _scenario_result(job: ScheduleJob) -> ScheduleCompleted:
    scenario = job.scenario or {"tasks": {}, "projects": {}}
    return ScheduleCompleted(
        job_id=job.id,
        tasks=tuple(
            TaskResult(id=int(key), computed_start=start, computed_end=end, resource_ids=tuple(resources))
            for key, (start, end, resources) in scenario["tasks"].items()
        ),
        projects=tuple(
            ProjectResult(id=int(key), computed_start=start, computed_end=end)
            for key, (start, end) in scenario["projects"].items()
        ),
    )
