"""The Schedule page in a real browser: the Gantt's bars against the catalog's dates, the artist view,
keyboard zoom and opening a task, "Schedule now" followed to completion and a what-if's ghost bars."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from support.browser import screenshot, sign_in
from support.web import Show

SH001_TASKS = ["Previs", "Matchmove", "Animation", "Lighting", "comp"]


def catalog(show: Show, path: str, **params: Any) -> Any:
    """The catalog's own JSON (times exactly as it writes them), as admin."""
    token = httpx.post(f"{show.base}/catalog/v1/auth/token", data={"username": "admin", "password": "admin"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    answer = httpx.get(f"{show.base}{path}", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def sh001_tasks(show: Show) -> tuple[int, list[dict[str, Any]]]:
    """The project's id and SH001's tasks by computed start, as the catalog has them."""
    project = catalog(show, "/catalog/v1/projects", code=show.project_code)["items"][0]
    shot = catalog(show, "/catalog/v1/tasks", project_id=project["id"], name="SH001")["items"][0]
    tasks = catalog(show, "/catalog/v1/tasks", parent_id=shot["id"])["items"]
    return project["id"], sorted(tasks, key=lambda t: (t["computed_start"], t["id"]))


def bars_in_page_order(page: Page) -> list[dict[str, str]]:
    """Every bar drawn, in the page's order: its task, dates, accessible name and its row's offset."""
    bars: list[dict[str, str]] = page.eval_on_selector_all(
        ".gantt-bar",
        "bars => bars.map(b => ({id: b.dataset.taskId, start: b.dataset.start, end: b.dataset.end,"
        " label: b.getAttribute('aria-label'), top: b.parentElement.style.top}))",
    )
    return bars


def test_the_gantt_draws_sh001s_tasks_in_order_with_the_catalogs_dates(
    page: Page, show: Show, tmp_path: Path
) -> None:
    project_id, tasks = sh001_tasks(show)
    assert [t["name"] for t in tasks] == SH001_TASKS
    sign_in(page, show.base, show.login, show.password)
    page.get_by_role("link", name="Schedule").first.click()
    expect(page).to_have_url(f"{show.base}/web/projects/{project_id}/schedule")
    expect(page.locator(f'.gantt-bar[data-task-id="{tasks[-1]["id"]}"]')).to_be_visible()
    assert page.evaluate("performance.getEntriesByName('gantt:usable').length") == 1
    wanted = {str(t["id"]) for t in tasks}
    drawn = [bar for bar in bars_in_page_order(page) if bar["id"] in wanted]
    assert [bar["id"] for bar in drawn] == [str(t["id"]) for t in tasks]
    assert [(bar["start"], bar["end"]) for bar in drawn] == [
        (t["computed_start"], t["computed_end"]) for t in tasks
    ]
    for bar, task in zip(drawn, tasks, strict=True):
        assert bar["label"].startswith(f"{task['name']}, {task['computed_start'][:10]}")
    expect(page.get_by_role("link", name=re.compile(r"^Animation, \d{4}-\d\d-\d\d"))).to_be_visible()
    expect(page.locator(".gantt-links > path")).to_have_count(4)  # Animation's two, Lighting's, comp's
    screenshot(page, "gantt", tmp_path)

    page.get_by_role("button", name="Collapse SH001").click()
    expect(page.locator(f'.gantt-bar[data-task-id="{tasks[0]["id"]}"]')).to_have_count(0)
    page.get_by_role("button", name="Expand SH001").click()
    expect(page.locator(f'.gantt-bar[data-task-id="{tasks[0]["id"]}"]')).to_be_visible()

    # From the keyboard: the focus stays on the group's toggle, drawn anew, collapsed then expanded.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Collapse SH001":
            break
    page.keyboard.press("Enter")
    expect(page.locator(f'.gantt-bar[data-task-id="{tasks[0]["id"]}"]')).to_have_count(0)
    expect(page.get_by_role("button", name="Expand SH001")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f'.gantt-bar[data-task-id="{tasks[0]["id"]}"]')).to_be_visible()
    expect(page.get_by_role("button", name="Collapse SH001")).to_be_focused()


def test_the_artist_view_keyboard_zoom_and_enter_on_a_bar(page: Page, show: Show) -> None:
    project_id, tasks = sh001_tasks(show)
    sign_in(page, show.base, show.login, show.password)
    page.goto(f"{show.base}/web/projects/{project_id}/schedule")
    page.get_by_role("button", name="By artist").click()
    expect(page.locator(".gantt-lane", has_text="Erkan Ozgur Yilmaz")).to_be_visible()
    expect(page.locator(".gantt-bar")).to_have_count(len(tasks))  # only the booked work, on one lane
    lanes = {bar["top"] for bar in bars_in_page_order(page)}
    assert lanes == {"0px"}
    level = page.locator("#zoom-level")
    before = level.inner_text()
    page.keyboard.press("-")
    expect(level).not_to_have_text(before)
    page.keyboard.press("+")
    expect(level).to_have_text(before)
    animation = next(t for t in tasks if t["name"] == "Animation")
    page.locator(f'.gantt-bar[data-task-id="{animation["id"]}"]').focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{show.base}/web/tasks/{animation['id']}")


def test_schedule_now_follows_the_job_and_a_what_if_shows_ghost_bars(page: Page, show: Show) -> None:
    project_id, tasks = sh001_tasks(show)
    sign_in(page, show.base, "admin", "admin")
    page.goto(f"{show.base}/web/projects/{project_id}/schedule")
    expect(page.locator("#what-if-toggle")).to_be_hidden()
    page.locator("#schedule-now").click()
    status = page.locator("#job-status")
    expect(status).to_contain_text(re.compile(r"queued|running|completed"))
    expect(status).to_contain_text("completed", timeout=60_000)
    expect(page.locator("#schedule-now")).to_be_enabled()
    _, after = sh001_tasks(show)
    for task in after:
        bar = page.locator(f'.gantt-bar[data-task-id="{task["id"]}"]')
        expect(bar).to_have_attribute("data-end", task["computed_end"])

    animation = next(t for t in tasks if t["name"] == "Animation")
    with show.client() as client:
        studio = client.studios.list().items[0]
        what_if = {"timings": [{"task_id": animation["id"], "schedule_timing": 10, "schedule_unit": "d"}]}
        job = client.studios.schedule(studio.id, project_ids=[project_id], what_if=what_if)
        client.jobs.wait(job.id, timeout=120)
    scenario = catalog(show, f"/catalog/v1/schedule-jobs/{job.id}/scenario")
    move = next(m for m in scenario["moves"] if m["task_id"] == animation["id"])
    page.reload()
    page.get_by_label(re.compile("Show what-if")).check()
    ghost = page.locator(f'.gantt-ghost[data-task-id="{animation["id"]}"]')
    expect(ghost).to_have_attribute("data-end", move["end"])
    expect(page.locator(f'.gantt-bar[data-task-id="{animation["id"]}"]')).to_have_attribute(
        "data-end", move["planned_end"]
    )
    page.get_by_label(re.compile("Show what-if")).uncheck()
    expect(ghost).to_have_count(0)


def test_the_time_axis_and_the_bars_times_are_the_studios_wall_clock(page: Page, show: Show) -> None:
    """A studio in Los Angeles sees Previs start at 09:00 (16:00 UTC, daylight time): the chart places and
    names times on the studio's clock, whatever the browser's zone (UTC here)."""
    project_id, tasks = sh001_tasks(show)
    previs = tasks[0]
    assert previs["computed_start"].startswith("2014-04-02T16:00")
    with show.client() as admin:
        (studio,) = admin.studios.list()
        admin.studios.update(studio.id, time_zone="America/Los_Angeles")
        try:
            sign_in(page, show.base, "admin", "admin")
            page.goto(f"{show.base}/web/projects/{project_id}/schedule")
            bar = page.locator(f'.gantt-bar[data-task-id="{previs["id"]}"]')
            expect(bar).to_have_attribute(
                "aria-label", re.compile(r"^Previs, 2014-04-02 09:00 to 2014-04-16 09:00")
            )
            expect(bar).to_have_attribute("data-start", previs["computed_start"])  # the API's, untouched
        finally:
            admin.studios.update(studio.id, time_zone="UTC")
