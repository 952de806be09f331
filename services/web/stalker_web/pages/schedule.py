"""The Schedule page: a Gantt chart of the computed schedule, drawn in the browser (static/gantt.js) from
the JSON endpoints below; "Schedule now" starts a run for the project and the page follows its job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic_core import to_json

from stalker_web import gantt, lookups
from stalker_web.api import Api, ApiError
from stalker_web.deps import Checked, SignedIn

router = APIRouter(tags=["schedule"])
CATALOG = "/catalog/v1"
USERS = f"{CATALOG}/users"
# Pages of tasks fetched at once after the first: enough to hide the latency, few enough to leave the
# catalog's connections to other users.
PARALLEL_PAGES = 4
# How far back the page looks for the studio's latest what-if run.
RECENT_JOBS = 100
ParentQuery = Query(None, ge=1, le=2**31 - 1, description="A sequence or shot: show only its subtree")


@router.get("/projects/{project_id}/schedule")
async def schedule_page(page: SignedIn, project_id: int, parent: int | None = ParentQuery) -> Response:
    project = await page.api.get(f"{CATALOG}/projects/{project_id}")
    focus = await _task_in(page.api, project_id, parent) if parent is not None else None
    may_schedule = gantt.may_schedule(project, page.user_id, page.session.is_admin)
    return page.render("schedule/gantt.html", project=project, focus=focus, may_schedule=may_schedule)


@router.get("/api/projects/{project_id}/gantt")
async def gantt_data(page: SignedIn, project_id: int, parent: int | None = ParentQuery) -> Response:
    """The chart's rows in tree order (gantt.ROW_COLUMNS), the resources' names, the project's dates and
    the studio's "now"; 404 for a parent that is not a task of the project, as the page."""
    if parent is not None:
        await _task_in(page.api, project_id, parent)
    project, studio, tasks = await asyncio.gather(
        page.api.get(f"{CATALOG}/projects/{project_id}"),
        lookups.studio(page.api),
        all_tasks(page.api, project_id),
    )
    rows = gantt.gantt_rows(tasks, parent)
    body = {
        "project": {
            "id": project["id"],
            "name": project["name"],
            "start": project.get("computed_start") or project.get("start"),
            "end": project.get("end"),
            "computed_end": project.get("computed_end"),
        },
        "now": studio.get("now") or datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "time_zone": studio.get("time_zone") or "UTC",
        "parent": parent,
        "columns": gantt.ROW_COLUMNS,
        "rows": rows,
        "users": {
            str(i): name
            for i, name in (await lookups.names(page.api, USERS, gantt.resource_ids(rows))).items()
        },
    }
    return Response(to_json(body), media_type="application/json")


@router.get("/api/projects/{project_id}/gantt/scenario")
async def gantt_scenario(page: SignedIn, project_id: int) -> JSONResponse:
    """The studio's latest what-if run that has a scenario for this project, as task id -> [start, end,
    resources]; `job_id` null when there is none."""
    await page.api.get(f"{CATALOG}/projects/{project_id}")  # a 404 for a project that is not shared
    job = await _latest_what_if(page.api, project_id)
    scenario = await _scenario(page.api, job["id"]) if job else None
    if job is None or scenario is None:
        return JSONResponse({"job_id": None, "status": None, "moves": {}})
    moves = gantt.ghost_moves(scenario, project_id)
    return JSONResponse({"job_id": job["id"], "status": scenario.get("status"), "moves": moves})


@router.post("/api/projects/{project_id}/schedule", dependencies=[Checked], status_code=202)
async def schedule_now(page: SignedIn, project_id: int) -> JSONResponse:
    """Starts a schedule run of the studio for this project; the job, to follow."""
    studio = await lookups.the_studio(page.api)
    job = await page.api.post(f"{CATALOG}/studios/{studio['id']}/schedule", {"project_ids": [project_id]})
    return JSONResponse(gantt.job_view(job), status_code=202)


@router.get("/api/schedule-jobs/{job_id}")
async def schedule_job(page: SignedIn, job_id: int) -> JSONResponse:
    job = await page.api.get(f"{CATALOG}/schedule-jobs/{job_id}")
    return JSONResponse(gantt.job_view(job))


async def all_tasks(
    api: Api, project_id: int, fields: tuple[str, ...] = gantt.TASK_FIELDS
) -> list[dict[str, Any]]:
    """Every task of the project, in pages of PAGE_SIZE: the first tells the total, the rest are asked
    for a few at a time."""

    async def fetch(offset: int) -> dict[str, Any]:
        params = {
            "project_id": project_id,
            "limit": gantt.PAGE_SIZE,
            "offset": offset,
            "sort": "id",
            "fields": ",".join(fields),
        }
        page: dict[str, Any] = await api.get(f"{CATALOG}/tasks", params)
        return page

    first = await fetch(0)
    gate = asyncio.Semaphore(PARALLEL_PAGES)

    async def gated(offset: int) -> dict[str, Any]:
        async with gate:
            return await fetch(offset)

    rest = await asyncio.gather(*(gated(o) for o in gantt.page_offsets(first["total"])))
    return [task for page in (first, *rest) for task in page["items"]]


async def _task_in(api: Api, project_id: int, task_id: int) -> dict[str, Any]:
    task: dict[str, Any] = await api.get(f"{CATALOG}/tasks/{task_id}")
    if task.get("project_id") != project_id:
        raise ApiError(404, "Not Found", f"task {task_id} is not in project {project_id}")
    return task


async def _latest_what_if(api: Api, project_id: int) -> dict[str, Any] | None:
    studio = await lookups.studio(api)
    if studio["id"] is None:
        return None
    params = {"studio_id": studio["id"], "sort": "-id", "limit": RECENT_JOBS}
    jobs = await api.get(f"{CATALOG}/schedule-jobs", params)
    # The newest ready one that covers this project: another project's what-if, or a newer one still
    # running or failed, does not hide it.
    for job in jobs["items"]:
        ready = job.get("what_if") is not None and job.get("scenario_status") == "ready"
        if ready and (job.get("project_ids") is None or project_id in job["project_ids"]):
            return dict(job)
    return None


async def _scenario(api: Api, job_id: int) -> dict[str, Any] | None:
    try:
        scenario: dict[str, Any] = await api.get(f"{CATALOG}/schedule-jobs/{job_id}/scenario")
    except ApiError as exc:
        if exc.status in (403, 404, 409):
            return None  # not the user's to see, or gone
        raise
    return scenario
