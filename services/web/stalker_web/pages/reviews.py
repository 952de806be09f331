"""Reviews: the reviews waiting for the signed-in user (NEW, where they are the reviewer), across projects,
oldest first, each approved or sent back with the extra time it needs and a note."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from stalker_web import lookups
from stalker_web.deps import ApiError, Checked, Page, SignedIn
from stalker_web.forms import Short, Text

router = APIRouter(tags=["reviews"])
PAGE_SIZE = 50
MAX_OFFSET = 1_000_000
UNITS = (("min", "minutes"), ("h", "hours"), ("d", "days"), ("w", "weeks"), ("m", "months"), ("y", "years"))
TASK_FIELDS = "id,name,parent_id,project_id,resource_ids,status"


@dataclass(frozen=True)
class SendBack:
    """The send-back form of one review as typed."""

    review_id: int
    schedule_timing: str = "1"
    schedule_unit: str = "h"
    description: str = ""


async def _inbox(
    page: Page,
    offset: int = 0,
    status_code: int = 200,
    form: SendBack | None = None,
    errors: Mapping[str, str] | None = None,
) -> Response:
    query = {"reviewer_id": page.user_id, "status": "NEW", "sort": "id", "limit": PAGE_SIZE, "offset": offset}
    reviews = await page.api.get("/catalog/v1/reviews", query)
    items = reviews["items"]
    tasks = await lookups.rows_by_id(
        page.api, "/catalog/v1/tasks", (r["task_id"] for r in items), TASK_FIELDS
    )
    parents = await lookups.rows_by_id(
        page.api, "/catalog/v1/tasks", (t["parent_id"] for t in tasks.values())
    )
    projects = await lookups.rows_by_id(
        page.api, "/catalog/v1/projects", (r["project_id"] for r in items), "id,name,code"
    )
    people = await lookups.rows_by_id(
        page.api, "/catalog/v1/users", (u for t in tasks.values() for u in t["resource_ids"])
    )
    failed_elsewhere = form is not None and form.review_id not in {r["id"] for r in items}
    return page.render(
        "reviews/inbox.html",
        status_code,
        reviews=items,
        total=reviews["total"],
        offset=offset,
        page_size=PAGE_SIZE,
        tasks=tasks,
        parents=parents,
        projects=projects,
        people=people,
        units=UNITS,
        zone=await page.zone(),
        form=form,
        errors=errors or {},
        page_error=" ".join((errors or {}).values()) if failed_elsewhere else None,
    )


@router.get("/reviews")
async def inbox(page: SignedIn, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> Response:
    return await _inbox(page, offset)


def _refused(exc: ApiError) -> bool:
    """A refusal to show on the inbox; a missing review or a failing service gets the error page."""
    return 400 <= exc.status < 500 and exc.status != 404


@router.post("/reviews/{review_id}/approve", dependencies=[Checked])
async def approve(page: SignedIn, review_id: int, description: Text = "") -> Response:
    body = {"description": description} if description.strip() else {}
    task = await _decide(page, review_id, "approve", body, "APP")
    if isinstance(task, ApiError):
        return await _inbox(page, 0, task.status, SendBack(review_id), {"form": task.detail})
    return page.redirect("/reviews", f"Approved {task['name']}: it is now {task['status']}.")


async def _decide(
    page: Page, review_id: int, action: str, body: dict[str, Any], verdict: str
) -> dict[str, Any] | ApiError:
    """The review's task once this verdict is given (now, or already by this user), else the refusal to
    show on the inbox; anything but a refusal of this request is raised."""
    try:
        task: dict[str, Any] = (await page.api.post(f"/catalog/v1/reviews/{review_id}/{action}", body))[
            "task"
        ]
    except ApiError as exc:
        if not _refused(exc):
            raise
        return await _decided_already(page, review_id, verdict, exc) or exc
    return task


async def _decided_already(page: Page, review_id: int, verdict: str, exc: ApiError) -> dict[str, Any] | None:
    """The review's task when the refusal is only that this user already gave this verdict (a form sent
    twice, as a double click does): done, not an error."""
    if exc.status != 409 or exc.problem.get("review_status") != verdict:
        return None
    review = await page.api.get(f"/catalog/v1/reviews/{review_id}")
    if review["status"] != verdict or review["reviewer_id"] != page.user_id:
        return None
    task: dict[str, Any] = await page.api.get(f"/catalog/v1/tasks/{review['task_id']}")
    return task


def _timing(form: SendBack) -> float:
    """The extra time as a number; ValueError naming the field otherwise."""
    if not form.schedule_timing.strip():
        raise ValueError("give the extra time the work needs")
    try:
        timing = float(form.schedule_timing)
    except ValueError:
        timing = math.nan
    if not (math.isfinite(timing) and timing >= 0):
        raise ValueError(f"the extra time must be a number of 0 or more (got {form.schedule_timing!r})")
    return timing


@router.post("/reviews/{review_id}/send-back", dependencies=[Checked])
async def send_back(
    page: SignedIn,
    review_id: int,
    schedule_timing: Short = "",
    schedule_unit: Short = "",
    description: Text = "",
) -> Response:
    """Both the extra time and its unit are asked for: a form without them is refused, never taken as
    some default."""
    form = SendBack(review_id, schedule_timing, schedule_unit, description)
    try:
        timing = _timing(form)
    except ValueError as exc:
        return await _inbox(page, 0, 422, form, {"schedule_timing": str(exc)})
    if not schedule_unit:
        return await _inbox(page, 0, 422, form, {"schedule_unit": "choose the unit of the extra time"})
    if schedule_unit not in dict(UNITS):
        return await _inbox(page, 0, 422, form, {"schedule_unit": f"unknown unit {schedule_unit!r}"})
    ask = {"schedule_timing": timing, "schedule_unit": schedule_unit, "description": description}
    task = await _decide(page, review_id, "request-revision", ask, "RREV")
    if isinstance(task, ApiError):
        field = task.field if task.field in ("schedule_timing", "schedule_unit", "description") else "form"
        return await _inbox(page, 0, task.status, form, {field: task.detail})
    return page.redirect("/reviews", f"Sent {task['name']} back: it is now {task['status']}.")
