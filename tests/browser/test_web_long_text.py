"""Long names and notes without a space in a real browser at 1280 px: they wrap, and no page grows wider
than the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from support.browser import VIEWPORT, sign_in
from support.web import Show

NAME = "L" * 250
NOTE = "N" * 2000


def test_a_long_name_and_note_wrap_within_the_window(page: Page, show: Show) -> None:
    with show.client() as admin:
        project = admin.projects.by_code(show.project_code)
        me = admin.users.first(login="admin")
        sh001 = admin.tasks.first(name="SH001")
        assert project is not None and me is not None and sh001 is not None
        admin.projects.add_user(project.id, me.id)
        task = admin.tasks.create(
            name=NAME, parent_id=sh001.id, resource_ids=[me.id], schedule_timing=2, schedule_unit="h"
        )
        admin.tasks.set_responsible(task.id, [me.id])
        admin.notes.create(NOTE, task=task)
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        admin.time_logs.create(task, start=start, duration=timedelta(hours=1))
        admin.tasks.request_review(task, description=NOTE)
    sign_in(page, show.base, "admin", "admin")
    for path in (
        f"/web/projects/{project.id}?parent={sh001.id}",
        f"/web/tasks/{task.id}",
        "/web/my-work",
        f"/web/my-work/tasks/{task.id}",
        "/web/reviews",
    ):
        page.goto(show.base + path)
        expect(page.get_by_text(NAME[:200]).first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORT["width"], f"{path} is {width} px wide"
    expect(page.get_by_text(NOTE).first).to_be_visible()
