"""My work: the signed-in user's tasks (as resource) with their week's time sheet, and one task's page where
they log time and ask for a review. The catalog decides what is allowed; its refusals show on the form."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import Response

from stalker_web import lookups
from stalker_web.deps import ApiError, Checked, Page, SignedIn
from stalker_web.forms import Short, Text

router = APIRouter(tags=["my work"])
PAGE_SIZE = 50
FETCH_SIZE = 1000
MAX_TASKS = 5000  # an artist's list beyond this is a data problem, not a page to sort
STATUSES = ("WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL")
TASK_FIELDS = (
    "id,name,project_id,parent_id,status,schedule_timing,schedule_unit,schedule_seconds,"
    "total_logged_seconds,remaining_seconds,computed_start,computed_end,start,end"
)
FAR_FUTURE = datetime.max.isoformat() + "+00:00"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DAY_START = 9 * 60  # minutes; for a studio whose week has no working hours at all
T = TypeVar("T")


class TimeFormError(Exception):
    """A log-time form the catalog need not see: the field to mark and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class LogForm:
    """The log-time form as typed: a start and an end, or a day and a number of hours."""

    start: str = ""
    end: str = ""
    day: str = ""
    hours: str = ""
    description: str = ""

    @property
    def by_day(self) -> bool:
        return bool(self.day or self.hours) and not (self.start or self.end)

    def field_for(self, api_field: str | None) -> str:
        """The form's field for a field the catalog names (a day's log is sent as a start and an end)."""
        if api_field in ("start", "end"):
            return {"start": "day", "end": "hours"}[api_field] if self.by_day else api_field
        return "form"


def today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def day_seconds(ranges: Sequence[Sequence[int]]) -> float:
    """A day's working time in seconds, from its ranges of minutes."""
    return float(sum(end - begin for begin, end in ranges) * 60)


def _day_start(week: Mapping[str, Sequence[Sequence[int]]], day: date) -> int:
    ranges = week.get(WEEKDAYS[day.weekday()]) or [r for d in WEEKDAYS for r in week.get(d) or []]
    return min((begin for begin, _ in ranges), default=DEFAULT_DAY_START)


def _parsed(parse: Callable[[str], T], value: str, field: str, expected: str) -> T:
    if not value.strip():
        raise TimeFormError(field, f"{field} is required: {expected}")
    try:
        return parse(value.strip())
    except ValueError:
        raise TimeFormError(field, f"{field} must be {expected} (got {value!r})") from None


def parse_log(
    form: LogForm, zone: str, week: Mapping[str, Sequence[Sequence[int]]]
) -> tuple[datetime, datetime]:
    """The log's start and end in the studio's zone; the catalog checks the rest (order, length, overlap)."""
    tz = ZoneInfo(zone)
    if form.by_day:
        day = _parsed(date.fromisoformat, form.day, "day", "a date such as 2025-01-08")
        hours = _parsed(float, form.hours, "hours", "a number of hours such as 2 or 1.5")
        if not (math.isfinite(hours) and 0 < hours <= 24):
            raise TimeFormError("hours", f"hours must be more than 0 and at most 24 (got {form.hours})")
        if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
            raise TimeFormError("day", f"day must be from 1900 to 2199 (got {form.day})")
        begin = datetime.combine(day, time(), tz) + timedelta(minutes=_day_start(week, day))
        # Hours of elapsed time, across a clock change too (aware arithmetic would add wall-clock time).
        return begin, (begin.astimezone(UTC) + timedelta(hours=hours)).astimezone(tz)
    if not (form.start or form.end):
        raise TimeFormError("start", "give a start and an end, or a day and a number of hours")
    wanted = "a date and time such as 2025-01-08T09:00"
    begin = _parsed(datetime.fromisoformat, form.start, "start", wanted)
    finish = _parsed(datetime.fromisoformat, form.end, "end", wanted)
    return _in_zone(begin, tz, "start"), _in_zone(finish, tz, "end")


def _in_zone(moment: datetime, zone: ZoneInfo, field: str) -> datetime:
    """A time typed with its own offset keeps it; one without is the studio's wall clock, which must
    exist (the hour skipped when the clocks go forward does not)."""
    if moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise TimeFormError(
            field, f"{moment:%H:%M} does not exist on {moment:%Y-%m-%d} in {zone.key}: the clocks go forward"
        )
    return local


def _planned_start(task: Mapping[str, Any]) -> tuple[datetime, int]:
    moment = task.get("computed_start") or task.get("start") or FAR_FUTURE
    return datetime.fromisoformat(moment), int(task["id"])


async def _my_tasks(page: Page, status: str | None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"as": "resource", "limit": FETCH_SIZE, "fields": TASK_FIELDS}
    if status:
        params["status"] = status
    tasks: list[dict[str, Any]] = []
    while True:
        body = await page.api.get(f"/catalog/v1/users/{page.user_id}/tasks", {**params, "offset": len(tasks)})
        tasks += body["items"]
        if not body["items"] or len(tasks) >= min(int(body["total"]), MAX_TASKS):
            return sorted(tasks, key=_planned_start)


async def _week(page: Page, week: date | None, studio: Mapping[str, Any]) -> dict[str, Any]:
    params = {"week": week.isoformat()} if week else None
    sheet: dict[str, Any] = await page.api.get(f"/catalog/v1/users/{page.user_id}/time-sheet", params)
    hours = studio.get("working_hours") or {}
    for day in sheet["days"]:
        day["date"] = date.fromisoformat(day["date"])
        day["working_seconds"] = day_seconds(hours.get(WEEKDAYS[day["date"].weekday()]) or [])
    monday = sheet["days"][0]["date"]
    sheet["previous"], sheet["next"] = monday - timedelta(days=7), monday + timedelta(days=7)
    return sheet


@router.get("/my-work")
async def my_work(
    page: SignedIn,
    status: Annotated[str | None, Query(max_length=8)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    week: date | None = None,
) -> Response:
    chosen = status if status in STATUSES else None
    studio = await lookups.studio(page.api)
    tasks = await _my_tasks(page, chosen)
    if tasks and offset >= len(tasks):  # past the end (a bookmark of a page since emptied): its last page
        last = (len(tasks) - 1) // PAGE_SIZE * PAGE_SIZE
        query = {**page.request.query_params, "offset": last}
        return page.redirect(f"/my-work?{urlencode(query)}")
    shown = tasks[offset : offset + PAGE_SIZE]
    parents = await lookups.rows_by_id(page.api, "/catalog/v1/tasks", (t["parent_id"] for t in shown))
    projects = await lookups.rows_by_id(
        page.api, "/catalog/v1/projects", (t["project_id"] for t in shown), "id,name,code"
    )
    return page.render(
        "work/my_work.html",
        tasks=shown,
        total=len(tasks),
        offset=offset,
        page_size=PAGE_SIZE,
        status=chosen,
        statuses=STATUSES,
        parents=parents,
        projects=projects,
        sheet=await _week(page, week, studio),
        zone=studio.get("time_zone") or "UTC",
    )


async def _task_page(
    page: Page,
    task_id: int,
    status_code: int = 200,
    form: LogForm | None = None,
    errors: Mapping[str, str] | None = None,
    review_error: str | None = None,
    review_note: str = "",
) -> Response:
    task = await page.api.get(f"/catalog/v1/tasks/{task_id}")
    studio = await lookups.studio(page.api)
    zone = studio.get("time_zone") or "UTC"
    logs = await page.api.get("/catalog/v1/time-logs", {"task_id": task_id, "sort": "-start", "limit": 200})
    parents = await lookups.rows_by_id(page.api, "/catalog/v1/tasks", [task["parent_id"]])
    projects = await lookups.rows_by_id(
        page.api, "/catalog/v1/projects", [task["project_id"]], "id,name,code"
    )
    people = await lookups.rows_by_id(
        page.api, "/catalog/v1/users", (log["resource_id"] for log in logs["items"])
    )
    return page.render(
        "work/task.html",
        status_code,
        task=task,
        parent=parents.get(task["parent_id"]),
        project=projects.get(task["project_id"]),
        logs=logs["items"],
        logs_total=logs["total"],
        people=people,
        zone=zone,
        form=form or LogForm(day=today(zone).isoformat()),
        errors=errors or {},
        review_note=review_note,
        review_error=review_error,
    )


@router.get("/my-work/tasks/{task_id}")
async def task_page(page: SignedIn, task_id: int) -> Response:
    return await _task_page(page, task_id)


@router.post("/my-work/tasks/{task_id}/time-logs", dependencies=[Checked])
async def log_time(
    page: SignedIn,
    task_id: int,
    start: Short = "",
    end: Short = "",
    day: Short = "",
    hours: Short = "",
    description: Text = "",
) -> Response:
    form = LogForm(start=start, end=end, day=day, hours=hours, description=description)
    studio = await lookups.studio(page.api)
    try:
        begin, finish = parse_log(form, studio.get("time_zone") or "UTC", studio.get("working_hours") or {})
        body = {"task_id": task_id, "start": begin.isoformat(), "end": finish.isoformat()}
        await page.api.post("/catalog/v1/time-logs", {**body, "description": description})
    except TimeFormError as exc:
        return await _task_page(page, task_id, 422, form, {exc.field: exc.message})
    except ApiError as exc:
        if not 400 <= exc.status < 500:
            raise
        return await _task_page(page, task_id, exc.status, form, {form.field_for(exc.field): exc.detail})
    logged = (finish.astimezone(UTC) - begin.astimezone(UTC)).total_seconds() / 3600  # elapsed, not wall
    return page.redirect(f"/my-work/tasks/{task_id}", f"Logged {logged:g} h.")


@router.post("/my-work/tasks/{task_id}/request-review", dependencies=[Checked])
async def request_review(page: SignedIn, task_id: int, description: Text = "") -> Response:
    try:
        result = await page.api.post(
            f"/catalog/v1/tasks/{task_id}/request-review", {"description": description}
        )
    except ApiError as exc:
        if not 400 <= exc.status < 500 or exc.status == 404:
            raise
        return await _task_page(page, task_id, exc.status, review_error=exc.detail, review_note=description)
    reviewers = await lookups.rows_by_id(
        page.api, "/catalog/v1/users", (r["reviewer_id"] for r in result["reviews"])
    )
    who = ", ".join(str(r["name"]) for r in reviewers.values()) or "nobody"
    return page.redirect(f"/my-work/tasks/{task_id}", f"Review requested from {who}.")
