"""My work and Reviews without a browser: the artist's tasks and week, logging time (a day and hours, or a
start and an end), the catalog's refusals shown on the form, requesting a review, and the reviewer's
inbox approving or sending the work back with extra time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from stalker_client import Stalker, Task

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ERRORS = re.compile(r'class="error[^"]*"[^>]*>([^<]*)<')
NOTICE = re.compile(r'class="notice"[^>]*>([^<]*)<')
TASK_ROW = re.compile(r'<tr data-task-id="(\d+)" data-task-name="([^"]+)" data-status="(\w+)"')
SignIn = Callable[[str, str], httpx.Client]


def past_day(days_ago: int) -> date:
    """A day before today (a log may not end in the future), each test its own so logs never overlap."""
    return datetime.now(UTC).date() - timedelta(days=days_ago)


def token(client: httpx.Client, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found, f"{path} has no form"
    return found.group(1)


def errors_of(answer: httpx.Response) -> list[str]:
    return ERRORS.findall(answer.text)


def notice_after(client: httpx.Client, answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text[-800:]
    (notice,) = NOTICE.findall(client.get(answer.headers["location"]).text)
    return str(notice)


@pytest.fixture(scope="module")
def admin(show: Any) -> Iterator[Stalker]:
    with show.client() as client:
        yield client


@pytest.fixture(scope="module")
def tasks(admin: Stalker) -> dict[str, Task]:
    """SH001's tasks by name, and its reviewer: a member "lead" made SH001's responsible."""
    project = admin.projects.by_code("FC")
    assert project is not None
    sh001 = admin.shots.first(project_id=project.id, code="SH001")
    assert sh001 is not None
    lead = admin.users.create(name="Lead Reviewer", login="lead", email="lead@example.com", password="secret")
    admin.projects.add_user(project.id, lead.id)
    admin.tasks.set_responsible(sh001.id, [lead.id])
    return {task.name: task for task in admin.tasks.children(sh001.id)}


@pytest.fixture(scope="module")
def lead(tasks: dict[str, Task], sign_in: SignIn) -> httpx.Client:
    return sign_in("lead", "secret")


def logs_of(admin: Stalker, task: Task) -> list[tuple[datetime, datetime]]:
    return [(log.start, log.end) for log in admin.time_logs.list(task_id=task.id, limit=1000).items]


def test_my_work_lists_the_artists_tasks_by_planned_start_with_their_shot(web: httpx.Client) -> None:
    page = web.get("/web/my-work")
    assert page.status_code == 200
    rows = TASK_ROW.findall(page.text)
    assert [name for _, name, _ in rows] == ["Previs", "Matchmove", "Animation", "Lighting", "comp"]
    assert "<td>SH001</td>" in page.text and "Fancy Commercial" in page.text
    waiting = TASK_ROW.findall(web.get("/web/my-work", params={"status": "WFD"}).text)
    assert [name for _, name, _ in waiting] == ["Animation", "Lighting", "comp"]


def test_a_day_and_hours_are_logged_from_the_studio_day_start(
    web: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task, day = tasks["Matchmove"], past_day(3)
    path = f"/web/my-work/tasks/{task.id}"
    form = {"csrf_token": token(web, path), "day": day.isoformat(), "hours": "2.5", "description": "tracking"}
    answer = web.post(f"{path}/time-logs", data=form)
    assert notice_after(web, answer) == "Logged 2.5 h."
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)  # the tutorial's studio: 09:00 UTC
    assert logs_of(admin, task) == [(start, start + timedelta(hours=2.5))]
    assert admin.tasks.get(task.id).status == "WIP"  # an RTS task's first log starts it
    week = web.get("/web/my-work", params={"week": day.isoformat()}).text
    assert f'data-day="{day.isoformat()}" data-seconds="9000.0"' in week


def test_a_start_and_an_end_in_the_studio_zone_are_logged(
    web: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task, day = tasks["Matchmove"], past_day(4).isoformat()
    path = f"/web/my-work/tasks/{task.id}"
    form = {"csrf_token": token(web, path), "start": f"{day}T13:00", "end": f"{day}T14:30"}
    assert notice_after(web, web.post(f"{path}/time-logs", data=form)) == "Logged 1.5 h."
    start = datetime.fromisoformat(f"{day}T13:00+00:00")
    assert (start, start + timedelta(minutes=90)) in logs_of(admin, task)


def test_a_time_typed_with_its_own_offset_keeps_it(
    web: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task, day = tasks["Matchmove"], past_day(5).isoformat()
    path = f"/web/my-work/tasks/{task.id}"
    form = {"csrf_token": token(web, path), "start": f"{day}T10:00+09:00", "end": f"{day}T11:00+09:00"}
    assert notice_after(web, web.post(f"{path}/time-logs", data=form)) == "Logged 1 h."
    start = datetime.fromisoformat(f"{day}T01:00+00:00")
    assert (start, start + timedelta(hours=1)) in logs_of(admin, task)


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        ({"start": "{day}T12:00", "end": "{day}T10:00"}, 422, "end", "must end after it starts"),
        ({"day": "{day}", "hours": "two"}, 422, "hours", "must be a number of hours"),
        ({"day": "{day}", "hours": "30"}, 422, "hours", "at most 24"),
        ({"day": "2150-01-01", "hours": "2"}, 422, "hours", "cannot end in the future"),
        ({"day": "9999-12-31", "hours": "24"}, 422, "day", "from 1900 to 2199"),
        ({"start": "yesterday", "end": "{day}T10:00"}, 422, "start", "must be a date and time"),
        ({}, 422, "start", "give a start and an end, or a day"),
    ],
)
def test_bad_times_are_refused_next_to_their_field_and_record_nothing(
    web: httpx.Client,
    admin: Stalker,
    tasks: dict[str, Task],
    fields: dict[str, str],
    status: int,
    field: str,
    message: str,
) -> None:
    task, day = tasks["Previs"], past_day(20).isoformat()
    path = f"/web/my-work/tasks/{task.id}"
    before = logs_of(admin, task)
    typed = {name: value.format(day=day) for name, value in fields.items()}
    answer = web.post(f"{path}/time-logs", data={"csrf_token": token(web, path), **typed})
    assert answer.status_code == status
    (error,) = re.findall(rf'id="{field}-error"[^>]*>([^<]*)<', answer.text)
    assert message in error.replace("&#39;", "'")
    for name, value in typed.items():
        assert f'name="{name}" ' in answer.text and f'value="{value}"' in answer.text  # kept as typed
    assert logs_of(admin, task) == before


def test_an_overlapping_log_is_the_catalogs_refusal_shown_on_the_form(
    web: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task, day = tasks["Matchmove"], past_day(5).isoformat()
    path = f"/web/my-work/tasks/{task.id}"
    first = {"csrf_token": token(web, path), "day": day, "hours": "3"}
    assert web.post(f"{path}/time-logs", data=first).status_code == 303
    before = logs_of(admin, task)
    again = {"csrf_token": token(web, path), "start": f"{day}T10:00", "end": f"{day}T11:00"}
    answer = web.post(f"{path}/time-logs", data=again)
    assert answer.status_code == 409
    assert any("may not overlap" in error for error in errors_of(answer))
    assert logs_of(admin, task) == before


def test_a_post_without_the_csrf_token_is_refused(
    web: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task = tasks["Previs"]
    before = logs_of(admin, task)
    form = {"day": past_day(21).isoformat(), "hours": "1"}
    assert web.post(f"/web/my-work/tasks/{task.id}/time-logs", data=form).status_code == 403
    assert web.post(f"/web/my-work/tasks/{task.id}/request-review", data={}).status_code == 403
    assert logs_of(admin, task) == before


def test_a_review_of_a_task_not_in_progress_is_refused_on_its_page(
    web: httpx.Client, tasks: dict[str, Task]
) -> None:
    path = f"/web/my-work/tasks/{tasks['Animation'].id}"
    answer = web.post(f"{path}/request-review", data={"csrf_token": token(web, path)})
    assert answer.status_code == 409
    assert any("must be WIP" in error for error in errors_of(answer))


def review_id_waiting(lead: httpx.Client, task: Task) -> int:
    inbox = lead.get("/web/reviews")
    assert inbox.status_code == 200
    found = re.findall(rf'data-review-id="(\d+)" data-task-id="{task.id}"', inbox.text)
    assert len(found) == 1, inbox.text[-2000:]
    return int(found[0])


def log_and_ask(web: httpx.Client, task: Task, day: date) -> str:
    path = f"/web/my-work/tasks/{task.id}"
    logged = {"csrf_token": token(web, path), "day": day.isoformat(), "hours": "2"}
    assert web.post(f"{path}/time-logs", data=logged).status_code == 303
    asked = {"csrf_token": token(web, path), "description": "ready for a look"}
    return notice_after(web, web.post(f"{path}/request-review", data=asked))


def test_a_review_sent_back_with_extra_time_then_approved(
    web: httpx.Client, lead: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task = tasks["Previs"]
    assert log_and_ask(web, task, past_day(7)) == "Review requested from Lead Reviewer."
    assert admin.tasks.get(task.id).status == "PREV"
    review_id = review_id_waiting(lead, task)
    bad = {"csrf_token": token(lead, "/web/reviews"), "schedule_timing": "lots", "schedule_unit": "h"}
    refused = lead.post(f"/web/reviews/{review_id}/send-back", data=bad)
    assert refused.status_code == 422 and "extra time must be a number" in refused.text
    back = {**bad, "schedule_timing": "3", "description": "more motion blur"}
    answer = lead.post(f"/web/reviews/{review_id}/send-back", data=back)
    assert notice_after(lead, answer) == "Sent Previs back: it is now HREV."
    review = admin.reviews.get(review_id)
    assert (review.status, review.schedule_timing, review.schedule_unit) == ("RREV", 3.0, "h")
    assert review.description == "more motion blur"
    assert f'data-review-id="{review_id}"' not in lead.get("/web/reviews").text

    log_and_ask(web, task, past_day(6))
    second = review_id_waiting(lead, task)
    approve = {"csrf_token": token(lead, "/web/reviews")}
    answer = lead.post(f"/web/reviews/{second}/approve", data=approve)
    assert notice_after(lead, answer) == "Approved Previs: it is now CMPL."
    again = lead.post(f"/web/reviews/{second}/approve", data=approve)  # a double click's second post
    assert notice_after(lead, again) == "Approved Previs: it is now CMPL."
    assert lead.post(f"/web/reviews/{second}/approve", data={}).status_code == 403


def test_a_send_back_needs_its_extra_time_and_unit_and_shows_the_catalogs_refusal(
    web: httpx.Client, lead: httpx.Client, admin: Stalker, tasks: dict[str, Task]
) -> None:
    task = tasks["Matchmove"]
    log_and_ask(web, task, past_day(8))
    review_id = review_id_waiting(lead, task)
    send_back = f"/web/reviews/{review_id}/send-back"
    csrf = {"csrf_token": token(lead, "/web/reviews")}
    for missing, field, message in (
        ({"schedule_unit": "h"}, "schedule_timing", "give the extra time"),
        ({"schedule_timing": "  ", "schedule_unit": "h"}, "schedule_timing", "give the extra time"),
        ({"schedule_timing": "2"}, "schedule_unit", "choose the unit"),
    ):
        refused = lead.post(send_back, data={**csrf, **missing})
        assert refused.status_code == 422
        (error,) = re.findall(rf'id="review-{review_id}-{field}-error"[^>]*>([^<]*)<', refused.text)
        assert message in error
    too_long = lead.post(send_back, data={**csrf, "schedule_timing": "11", "schedule_unit": "y"})
    assert too_long.status_code == 422
    (error,) = re.findall(rf'id="review-{review_id}-schedule_timing-error"[^>]*>([^<]*)<', too_long.text)
    assert "at most 10 y" in error, error
    assert admin.reviews.get(review_id).status == "NEW"

    back = {**csrf, "schedule_timing": "2", "schedule_unit": "h"}
    assert notice_after(lead, lead.post(send_back, data=back)) == "Sent Matchmove back: it is now HREV."
    again = lead.post(send_back, data=back)  # a double click's second post
    assert notice_after(lead, again) == "Sent Matchmove back: it is now HREV."
