"""My work and Reviews in a real browser: the tutorial artist logs two hours on SH001's Previs and asks for
a review; SH001's responsible finds it waiting on Reviews and approves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from support.browser import screenshot, sign_in
from support.web import Show


def make_a_reviewer(show: Show) -> None:
    """A member "lead", responsible of SH001: the reviewer of its tasks."""
    with show.client() as admin:
        project = admin.projects.by_code(show.project_code)
        assert project is not None
        sh001 = admin.shots.first(project_id=project.id, code="SH001")
        assert sh001 is not None
        lead = admin.users.create(
            name="Lead Reviewer", login="lead", email="lead@example.com", password="reviewer"
        )
        admin.projects.add_user(project.id, lead.id)
        admin.tasks.set_responsible(sh001.id, [lead.id])


def test_an_artist_logs_time_and_asks_for_a_review_that_the_lead_approves(
    page: Page, show: Show, tmp_path: Path
) -> None:
    make_a_reviewer(show)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()  # a log records work done
    sign_in(page, show.base, show.login, show.password)
    page.get_by_role("link", name="My work").click()
    previs = page.locator('tr[data-task-id][data-task-name="Previs"]')
    expect(previs).to_contain_text("SH001")
    expect(previs.locator(".status")).to_have_text("RTS")
    previs.get_by_role("link", name="Previs").click()

    form = page.locator("form.log-time")
    form.locator('input[name="day"]').fill(yesterday)
    form.locator('input[name="hours"]').fill("2")
    form.get_by_role("button", name="Log time").click()
    expect(page.get_by_role("status")).to_have_text("Logged 2 h.")
    expect(page.locator("h1 .status")).to_have_text("WIP")
    expect(page.locator("table.time-logs tbody tr")).to_have_count(1)
    expect(page.locator("table.time-logs")).to_contain_text(f"{yesterday} 09:00")

    page.goto(f"{show.base}/web/my-work?week={yesterday}")
    expect(page.locator(f'td[data-day="{yesterday}"] .logged')).to_have_text("2 h")
    expect(previs.locator(".status")).to_have_text("WIP")
    screenshot(page, "my-work", tmp_path)

    previs.get_by_role("link", name="Previs").click()
    page.get_by_role("button", name="Request review").click()
    expect(page.get_by_role("status")).to_have_text("Review requested from Lead Reviewer.")
    expect(page.locator("h1 .status")).to_have_text("PREV")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, show.base, "lead", "reviewer")
    page.get_by_role("link", name="Reviews").click()
    waiting = page.locator("[data-review-id]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("SH001 · Previs")
    expect(waiting).to_contain_text("Erkan Ozgur Yilmaz")
    screenshot(page, "reviews", tmp_path)
    waiting.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Approved Previs: it is now CMPL.")
    expect(page.locator("[data-review-id]")).to_have_count(0)
    with show.client() as admin:
        (previs_task,) = admin.tasks.list(name="Previs").items
        assert previs_task.status == "CMPL"
