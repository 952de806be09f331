"""The project tree and the task page in a real browser: into SH001, its tasks, a task's versions."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from support.browser import screenshot, sign_in
from support.web import Show

SH001_TASKS = ["Previs", "Matchmove", "Animation", "Lighting", "comp"]


def test_going_from_the_projects_into_sh001_and_to_a_task_with_its_versions(
    page: Page, show: Show, tmp_path: Path
) -> None:
    sign_in(page, show.base, show.login, show.password)
    page.get_by_role("link", name="Fancy Commercial").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fancy Commercial")
    page.locator('tr[data-task-name="SH001"]').get_by_role("link", name="SH001", exact=True).click()
    rows = page.locator("tr[data-task-id]")
    expect(rows).to_have_count(len(SH001_TASKS))
    expect(rows.locator("td.name a")).to_have_text(SH001_TASKS)
    expect(page.locator('tr[data-task-name="comp"]')).to_contain_text("Erkan Ozgur Yilmaz")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("SH001")
    screenshot(page, "tree", tmp_path)

    page.locator('tr[data-task-name="comp"]').get_by_role("link", name="comp").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("comp")
    expect(page.locator("tr[data-version-id]")).to_have_count(3)
    expect(page.locator(".path").first).to_have_text("/mnt/M/commercials/FC/SH001/comp/SH001_comp_Main_v003")
    page.get_by_label("Paths for").select_option("windows")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".path").first).to_have_text("M:/commercials/FC/SH001/comp/SH001_comp_Main_v003")
    page.get_by_role("link", name="Lighting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lighting")


def test_the_filter_form_finds_tasks_across_the_project_from_the_keyboard(page: Page, show: Show) -> None:
    sign_in(page, show.base, show.login, show.password)
    page.get_by_role("link", name="Fancy Commercial").click()
    filters = page.locator("form#tree-filters")
    filters.locator('[name="name"]').fill("comp")
    filters.locator('[name="flat"]').check()
    filters.locator('[name="name"]').press("Enter")
    expect(page).to_have_url(re.compile(r"\?name=comp&.*flat=1"))  # bookmarkable
    expect(page.locator("tr[data-task-id]")).to_have_count(1)
    expect(page.locator("tr[data-task-id]")).to_have_attribute("data-task-name", "comp")
    expect(filters.locator('[name="name"]')).to_have_value("comp")
