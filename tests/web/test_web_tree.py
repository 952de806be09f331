"""The project tree page (one level at a time, flat, filtered, sorted, paged) and the task page with its
versions' paths for the viewer's operating system, read as the tutorial's artist."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

ROW = re.compile(r'<tr data-task-id="(\d+)" data-task-name="([^"]*)"')
VERSION_ROW = re.compile(r'<tr data-version-id="(\d+)"')
PATH = re.compile(r'<td class="path">([^<]*)</td>')
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari/605.1.15"
SH001_TASKS = ["Previs", "Matchmove", "Animation", "Lighting", "comp"]


def names(page: httpx.Response) -> list[str]:
    """The task rows' names, in the page's order."""
    return [html.unescape(name) for _, name in ROW.findall(page.text)]


@pytest.fixture(scope="module")
def ids(show: Any) -> dict[str, int]:
    """Ids of the tutorial's project and tasks by name, and of a container of 150 tasks for paging."""
    with show.client() as admin:
        project = admin.projects.first(code=show.project_code)
        assert project is not None
        found = {t.name: t.id for t in admin.tasks.iterate(project_id=project.id)}
        crowd = [{"ref": "crowd", "name": "Crowd", "project_id": project.id}]
        extras = [
            {"name": f"Extra {i:03d}", "parent_ref": "crowd", "project_id": project.id} for i in range(150)
        ]
        made = admin.tasks.bulk_create(crowd + extras)
        return {**found, "project": project.id, "Crowd": made.items[0].id}


def test_the_tree_opens_on_the_top_level_with_links_into_containers(
    web: httpx.Client, ids: dict[str, int]
) -> None:
    page = web.get(f"/web/projects/{ids['project']}")
    assert page.status_code == 200
    assert {"Sequence 1", "SH001", "SH002", "SH003", "Crowd"} <= set(names(page))
    assert "Previs" not in names(page)
    assert f'href="/web/projects/{ids["project"]}?parent={ids["SH001"]}"' in page.text
    assert f'href="/web/projects/{ids["project"]}/schedule"' in page.text
    assert '<form id="tree-filters"' in page.text


def test_a_shot_lists_its_tasks_with_resources_effort_dates_and_a_way_back_up(
    web: httpx.Client, ids: dict[str, int]
) -> None:
    page = web.get(f"/web/projects/{ids['project']}", params={"parent": ids["SH001"], "sort": "start"})
    assert names(page) == SH001_TASKS  # the schedule runs them in this order
    comp_row = page.text[page.text.index(f'data-task-id="{ids["comp"]}"') :].split("</tr>")[0]
    assert "Erkan Ozgur Yilmaz" in comp_row
    assert "6 h" in comp_row
    assert "2014-04-30 16:00" in comp_row and "2014-05-01 13:00" in comp_row  # computed, in the studio's zone
    assert '<progress max="100"' in comp_row
    assert f'<a href="/web/projects/{ids["project"]}?sort=start"' in page.text  # the breadcrumb's top
    assert 'aria-current="page">SH001</a>' in page.text


def test_sorting_by_a_column_header_reverses_on_the_second_click(
    web: httpx.Client, ids: dict[str, int]
) -> None:
    tree = f"/web/projects/{ids['project']}"
    by_end = web.get(tree, params={"parent": ids["SH001"], "sort": "-end"})
    assert names(by_end) == list(reversed(SH001_TASKS))
    assert 'aria-sort="descending"><a class="sort" href="?parent=' in by_end.text
    ascending = web.get(tree, params={"parent": ids["SH001"], "sort": "end"})
    assert f'href="?parent={ids["SH001"]}&amp;sort=-end"' in ascending.text


def test_flat_mode_finds_tasks_anywhere_by_name_status_and_assignee(
    web: httpx.Client, ids: dict[str, int], show: Any
) -> None:
    tree = f"/web/projects/{ids['project']}"
    by_name = web.get(tree, params={"flat": "1", "name": "COMP"})
    assert names(by_name) == ["comp"]
    assert ">SH001</a>" in by_name.text  # the parent column
    waiting = web.get(tree, params={"flat": "1", "status": "WFD", "sort": "name"})
    assert sorted(names(waiting)) == ["Animation", "Lighting", "comp"]
    with show.client() as admin:
        artist = admin.users.by_login(show.login)
    assert artist is not None
    assigned = web.get(tree, params={"flat": "1", "assignee": artist.id, "status": "RTS"})
    assert names(assigned) == ["Previs", "Matchmove"]
    assert f'<option value="{artist.id}" selected>' in assigned.text


def test_a_filter_in_tree_mode_narrows_the_level_and_offers_the_whole_project(
    web: httpx.Client, ids: dict[str, int]
) -> None:
    page = web.get(f"/web/projects/{ids['project']}", params={"name": "comp"})
    assert names(page) == []
    assert f'href="/web/projects/{ids["project"]}?flat=1&amp;name=comp"' in page.text


def test_the_tree_is_paged_a_hundred_rows_at_a_time(web: httpx.Client, ids: dict[str, int]) -> None:
    tree = f"/web/projects/{ids['project']}"
    first = web.get(tree, params={"parent": ids["Crowd"], "sort": "name"})
    assert names(first) == [f"Extra {i:03d}" for i in range(100)]
    assert "Page 1 of 2" in first.text
    assert f'rel="next" href="{tree}?parent={ids["Crowd"]}&amp;sort=name&amp;page=2"' in first.text
    second = web.get(tree, params={"parent": ids["Crowd"], "sort": "name", "page": "2"})
    assert names(second) == [f"Extra {i:03d}" for i in range(100, 150)]
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_a_filter_the_catalog_refuses_is_shown_on_the_form_naming_the_field(
    web: httpx.Client, ids: dict[str, int]
) -> None:
    page = web.get(f"/web/projects/{ids['project']}", params={"flat": "1", "assignee": "999999"})
    assert page.status_code == 422
    assert 'role="alert">assignee:' in page.text
    assert '<form id="tree-filters"' in page.text


def test_a_project_or_task_not_shared_with_the_user_is_the_404_page(
    show: Any, ids: dict[str, int], sign_in: Callable[[str, str], httpx.Client]
) -> None:
    with show.client() as admin:
        admin.users.create(
            name="Out Sider", login="outsider", email="outsider@example.com", password="a stranger's pass 42"
        )
    outsider = sign_in("outsider", "a stranger's pass 42")
    for path in (f"/web/projects/{ids['project']}", f"/web/tasks/{ids['comp']}", "/web/projects/999999"):
        page = outsider.get(path)
        assert page.status_code == 404, path
        assert "not shared with you" in page.text
        assert "data-task-id" not in page.text


def test_a_row_of_another_projects_tree_is_not_a_parent_here(web: httpx.Client, ids: dict[str, int]) -> None:
    page = web.get(f"/web/projects/{ids['project']}", params={"parent": "999999"})
    assert page.status_code == 404


def test_the_task_page_shows_its_versions_with_paths_for_the_browsers_os(
    web: httpx.Client, ids: dict[str, int]
) -> None:
    task = f"/web/tasks/{ids['comp']}"
    on_windows = web.get(task, headers={"User-Agent": WINDOWS})
    assert on_windows.status_code == 200
    assert len(VERSION_ROW.findall(on_windows.text)) == 3
    paths = PATH.findall(on_windows.text)
    assert paths[0] == "M:/commercials/FC/SH001/comp/SH001_comp_Main_v003"  # newest first
    assert '<option value="windows" selected>' in on_windows.text
    on_mac = web.get(task, headers={"User-Agent": MAC})
    assert PATH.findall(on_mac.text)[0].startswith("/Volumes/M/commercials/FC/SH001/comp/")
    chosen = web.get(task, params={"os": "linux"}, headers={"User-Agent": WINDOWS})
    assert PATH.findall(chosen.text)[-1] == "/mnt/M/commercials/FC/SH001/comp/SH001_comp_Main_v001"
    assert "admin" in chosen.text  # who made them (the tutorial runs as admin)


def test_the_task_page_shows_its_fields_dependencies_breadcrumb_and_notes(
    web: httpx.Client, ids: dict[str, int], show: Any
) -> None:
    with show.client() as admin:
        admin.notes.create("Keep the <glow> subtle", task=ids["comp"])
    page = web.get(f"/web/tasks/{ids['comp']}")
    assert f'<a href="/web/tasks/{ids["Lighting"]}">Lighting</a>' in page.text
    assert f'<a href="/web/projects/{ids["project"]}?parent={ids["SH001"]}">SH001</a>' in page.text
    assert "Erkan Ozgur Yilmaz" in page.text and "6 h" in page.text and "WFD" in page.text
    assert "Keep the &lt;glow&gt; subtle" in page.text  # escaped, never markup
