"""The Schedule page's data: the Gantt rows' order and shape (pure), the paging of the catalog's tasks, and
the JSON endpoints the chart's script calls (against an embedded system with the tutorial's show)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
import pytest

from stalker_client import Stalker
from stalker_web import gantt
from stalker_web.api import Api
from stalker_web.pages.schedule import PARALLEL_PAGES, all_tasks

from support.web import Show, as_page_script, web_client

SH001_TASKS = ["Previs", "Matchmove", "Animation", "Lighting", "comp"]


def task(id: int, parent: int | None, name: str, start: str | None, **more: Any) -> dict[str, Any]:
    return {"id": id, "parent_id": parent, "name": name, "computed_start": start, **more}


# Pure: order and shape


def test_pages_after_the_first_are_asked_for_by_offset() -> None:
    assert gantt.page_offsets(0) == []
    assert gantt.page_offsets(1000) == []
    assert gantt.page_offsets(1001) == [1000]
    assert gantt.page_offsets(15_000) == list(range(1000, 15_000, 1000))


def test_rows_are_depth_first_with_siblings_by_start_and_undated_tasks_last() -> None:
    tasks = [
        task(1, None, "SH002", "2025-01-10T09:00:00Z"),
        task(2, None, "SH001", "2025-01-06T09:00:00Z"),
        task(3, 2, "comp", "2025-01-08T09:00:00Z"),
        task(4, 2, "Previs", "2025-01-06T09:00:00+00:00"),
        task(5, 2, "Undated", None),
        task(6, 1, "Lighting", "2025-01-10T09:00:00Z"),
        task(7, 99, "Orphan", "2025-01-01T09:00:00Z"),  # its parent is not in the list: a root
    ]
    order = [(t["name"], depth) for t, depth in gantt.tree_order(tasks)]
    assert order == [
        ("Orphan", 0),
        ("SH001", 0),
        ("Previs", 1),
        ("comp", 1),
        ("Undated", 1),
        ("SH002", 0),
        ("Lighting", 1),
    ]


def test_times_in_other_offsets_sort_by_the_instant_they_name() -> None:
    tasks = [
        task(1, None, "Late", "2025-01-06T10:00:00+02:00"),
        task(2, None, "Early", "2025-01-06T09:00:00Z"),
    ]
    assert [t["name"] for t, _ in gantt.tree_order(tasks)] == ["Late", "Early"]  # 08:00 UTC first


def test_a_sequence_subtree_holds_the_shots_in_it_under_it() -> None:
    tasks = [
        task(1, None, "SEQ1", None, kind="sequence", sequence_ids=[]),
        task(2, None, "SH001", "2025-01-06T09:00:00Z", kind="shot", sequence_ids=[1]),
        task(3, 2, "Anim", "2025-01-06T09:00:00Z", kind="task", sequence_ids=[]),
        task(4, None, "SH099", "2025-01-06T09:00:00Z", kind="shot", sequence_ids=[]),
    ]
    rows = gantt.gantt_rows(tasks, parent_id=1)
    assert [(row[0], row[1], row[2]) for row in rows] == [(1, None, 0), (2, 1, 1), (3, 2, 2)]
    assert [row[0] for row in gantt.gantt_rows(tasks, parent_id=2)] == [2, 3]


def test_a_row_is_compact_with_the_computed_dates_as_the_api_gave_them() -> None:
    raw = {
        "id": 8,
        "parent_id": 2,
        "name": "Animation",
        "kind": "task",
        "status": "WIP",
        "start": "2025-01-01T09:00:00Z",
        "end": "2025-01-02T18:00:00Z",
        "computed_start": "2025-01-06T09:00:00Z",
        "computed_end": None,
        "resource_ids": [3, 4],
        "computed_resource_ids": [4],
        "depends": [{"depends_on_id": 7, "target": "onend"}, {"depends_on_id": 6, "target": "onend"}],
    }
    row = gantt.compact_row(raw, depth=1)
    assert dict(zip(gantt.ROW_COLUMNS, row, strict=True)) == {
        "id": 8,
        "parent_id": 2,
        "depth": 1,
        "name": "Animation",
        "kind": "task",
        "status": "WIP",
        "start": "2025-01-06T09:00:00Z",
        "end": "2025-01-02T18:00:00Z",  # no computed end yet: the planned one
        "resources": [4],
        "depends": [6, 7],
    }
    assert gantt.resource_ids([row, [9, None, 0, "x", "task", "RTS", None, None, [3], []]]) == [3, 4]


def test_the_whole_projects_chart_draws_each_shot_under_its_sequence() -> None:
    tasks = [
        task(1, None, "Sequence 1", "2025-01-06T09:00:00Z", kind="sequence"),
        task(2, None, "SH001", "2025-01-06T09:00:00Z", kind="shot", sequence_ids=[1]),
        task(3, 2, "Previs", "2025-01-06T09:00:00Z"),
        task(4, None, "SH009", "2025-01-07T09:00:00Z", kind="shot", sequence_ids=[]),
    ]
    rows = gantt.gantt_rows(tasks)
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, None, 0), (2, 1, 1), (3, 2, 2), (4, None, 0)]
    assert "sequence_ids" in gantt.TASK_FIELDS


def test_ghosts_are_the_scenarios_moves_of_this_project_only() -> None:
    scenario = {
        "moves": [
            {"task_id": 8, "project_id": 1, "start": "a", "end": "b", "resources_after": [2]},
            {"task_id": 30, "project_id": 2, "start": "c", "end": "d", "resources_after": []},
        ]
    }
    assert gantt.ghost_moves(scenario, 1) == {"8": ["a", "b", [2]]}


def test_a_job_is_shown_in_the_apis_words_with_its_errors() -> None:
    job = {
        "id": 4,
        "status": "failed",
        "message": "tj3 refused",
        "problems": [
            {"severity": "warning", "message": "late"},
            {"severity": "error", "message": "raw", "explanation": "Give Lighting a resource"},
        ],
        "parts": 1,
        "parts_done": 0,
        "tasks_scheduled": None,
    }
    view = gantt.job_view(job)
    assert (view["status"], view["done"], view["message"]) == ("failed", True, "tj3 refused")
    assert view["problems"] == ["Give Lighting a resource"]
    assert gantt.job_view({"id": 5, "status": "running"})["done"] is False


def test_a_failed_jobs_errors_are_each_shown_once() -> None:
    explained = {"severity": "error", "message": "raw", "explanation": "Give Lighting a resource"}
    other = {"severity": "error", "message": "comp has no end"}
    job = {
        "id": 6,
        "status": "failed",
        "message": "Give Lighting a resource (tj3: raw)",
        "problems": [explained, other, other],
    }
    assert gantt.job_view(job)["problems"] == ["comp has no end"]


def test_only_admins_and_producers_are_offered_the_schedule_button() -> None:
    project = {"members": [{"user_id": 2, "role": "artist"}, {"user_id": 3, "role": "producer"}]}
    assert [gantt.may_schedule(project, user, False) for user in (2, 3, 4)] == [False, True, False]
    assert gantt.may_schedule(project, 2, True) is True


class FakeCatalog:
    """The catalog's task list over `total` tasks, counting the pages asked for at once."""

    def __init__(self, total: int) -> None:
        self.total, self.running, self.most = total, 0, 0
        self.asked: list[int] = []

    async def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        assert path == "/catalog/v1/tasks" and params["fields"] == ",".join(gantt.TASK_FIELDS)
        self.asked.append(params["offset"])
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01)
        self.running -= 1
        ids = range(params["offset"], min(params["offset"] + params["limit"], self.total))
        return {"items": [{"id": i} for i in ids], "total": self.total}


async def test_the_tasks_are_fetched_in_pages_of_1000_a_few_at_a_time() -> None:
    catalog = FakeCatalog(15_500)
    tasks = await all_tasks(cast(Api, catalog), project_id=1)
    assert [t["id"] for t in tasks] == list(range(15_500))
    assert sorted(catalog.asked) == list(range(0, 16_000, 1000))
    assert catalog.asked[0] == 0
    assert 1 < catalog.most <= PARALLEL_PAGES


# The JSON endpoints, on a system of this module's own


@pytest.fixture(scope="module")
def base(show: Show) -> str:
    return show.base


@pytest.fixture(scope="module")
def admin(base: str) -> Iterator[Stalker]:
    with Stalker.connect(base, "admin", "admin") as client:
        yield client


@pytest.fixture(scope="module")
def project_id(admin: Stalker) -> int:
    project = admin.projects.first(code="FC")
    assert project is not None
    return project.id


@contextmanager
def browser_session(base: str, login: str, password: str) -> Iterator[httpx.Client]:
    """A web session signed in through the form, with the page's CSRF token as the scripts send it."""
    client = web_client(base, login, password)
    try:
        yield as_page_script(client)
    finally:
        client.close()


def catalog_json(base: str, path: str, params: dict[str, Any]) -> Any:
    """The catalog's own answer, as JSON text parsed (its times exactly as it writes them)."""
    token = httpx.post(f"{base}/catalog/v1/auth/token", data={"username": "admin", "password": "admin"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return httpx.get(f"{base}{path}", params=params, headers=headers).json()


def test_the_chart_data_is_the_tree_with_the_catalogs_dates(base: str, project_id: int) -> None:
    with browser_session(base, "eoyilmaz", "secret") as web:
        answer = web.get(f"/web/api/projects/{project_id}/gantt")
    assert answer.status_code == 200
    body = answer.json()
    assert body["columns"] == list(gantt.ROW_COLUMNS)
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["rows"]]
    shot = next(r for r in rows if r["name"] == "SH001")
    children = [r for r in rows if r["parent_id"] == shot["id"]]
    assert [r["name"] for r in children] == SH001_TASKS
    assert {r["depth"] for r in children} == {shot["depth"] + 1}
    at = [r["id"] for r in rows].index(shot["id"])
    assert [r["id"] for r in rows[at + 1 : at + 6]] == [r["id"] for r in children]  # right under it
    catalog = catalog_json(base, "/catalog/v1/tasks", {"parent_id": shot["id"], "sort": "id"})["items"]
    assert {r["id"]: (r["start"], r["end"]) for r in children} == {
        t["id"]: (t["computed_start"], t["computed_end"]) for t in catalog
    }
    assert [r["start"] for r in children] == sorted(r["start"] for r in children)
    assert children[2]["depends"] == sorted([children[0]["id"], children[1]["id"]])  # Animation
    artist = children[0]["resources"][0]
    assert body["users"][str(artist)] == "Erkan Ozgur Yilmaz"
    studio = catalog_json(base, "/catalog/v1/studios", {"limit": 1})["items"][0]
    assert body["now"] == studio["now"]
    assert body["project"]["id"] == project_id


def test_a_parent_narrows_the_chart_to_its_subtree(base: str, project_id: int) -> None:
    with browser_session(base, "eoyilmaz", "secret") as web:
        shots = web.get(f"/web/api/projects/{project_id}/gantt").json()["rows"]
        shot_id = next(row[0] for row in shots if row[3] == "SH001")
        narrowed = web.get(f"/web/api/projects/{project_id}/gantt", params={"parent": shot_id}).json()
        page = web.get(f"/web/projects/{project_id}/schedule", params={"parent": shot_id})
        elsewhere = web.get(f"/web/projects/{project_id + 1000}/schedule", params={"parent": shot_id})
    assert [row[3] for row in narrowed["rows"]] == ["SH001", *SH001_TASKS]
    assert narrowed["parent"] == shot_id
    assert page.status_code == 200 and f"gantt?parent={shot_id}" in page.text
    assert 'id="schedule-now" disabled' in page.text  # an artist is not offered the button
    assert elsewhere.status_code == 404


def test_a_project_that_is_not_shared_is_404_for_the_page_and_its_data(
    base: str, admin: Stalker, project_id: int
) -> None:
    admin.users.create(name="Outsider", login="outsider", email="out@example.com", password="outside-pw")
    with browser_session(base, "outsider", "outside-pw") as web:
        page = web.get(f"/web/projects/{project_id}/schedule")
        data = web.get(f"/web/api/projects/{project_id}/gantt")
        scenario = web.get(f"/web/api/projects/{project_id}/gantt/scenario")
    assert page.status_code == 404 and "not shared with you" in page.text
    assert data.status_code == 404 and data.headers["content-type"].startswith("application/")
    assert data.json()["status"] == 404
    assert scenario.status_code == 404


def test_signed_out_scripts_get_a_401_problem(base: str, project_id: int) -> None:
    answer = httpx.get(f"{base}/web/api/projects/{project_id}/gantt")
    assert answer.status_code == 401


def test_an_artist_is_refused_scheduling_and_a_change_needs_the_csrf_token(
    base: str, project_id: int
) -> None:
    with browser_session(base, "eoyilmaz", "secret") as web:
        refused = web.post(f"/web/api/projects/{project_id}/schedule")
        del web.headers["X-CSRF-Token"]
        no_token = web.post(f"/web/api/projects/{project_id}/schedule")
    assert refused.status_code == 403
    assert "producer" in refused.json()["detail"]
    assert no_token.status_code == 403 and "stale" in no_token.json()["detail"]


def test_schedule_now_starts_a_job_the_page_can_follow(base: str, admin: Stalker, project_id: int) -> None:
    with browser_session(base, "admin", "admin") as web:
        started = web.post(f"/web/api/projects/{project_id}/schedule")
        assert started.status_code == 202
        job = started.json()
        assert job["status"] in ("queued", "running", "completed") and isinstance(job["done"], bool)
        admin.jobs.wait(job["id"], timeout=120)
        followed = web.get(f"/web/api/schedule-jobs/{job['id']}").json()
    assert followed["id"] == job["id"]
    assert (followed["status"], followed["done"]) == ("completed", True)
    assert followed["tasks_scheduled"] >= 5


def test_the_latest_what_if_scenario_gives_ghost_dates(base: str, admin: Stalker, project_id: int) -> None:
    with browser_session(base, "admin", "admin") as web:
        before = web.get(f"/web/api/projects/{project_id}/gantt/scenario").json()
        animation = admin.tasks.first(project_id=project_id, name="Animation")
        assert animation is not None
        what_if = {"timings": [{"task_id": animation.id, "schedule_timing": 10, "schedule_unit": "d"}]}
        job = admin.studios.schedule(
            admin.studios.list().items[0].id, project_ids=[project_id], what_if=what_if
        )
        admin.jobs.wait(job.id, timeout=120)
        after = web.get(f"/web/api/projects/{project_id}/gantt/scenario").json()
        # Another project's later what-if does not hide this project's.
        other = admin.projects.create(name="Other what-if", code="OWI")
        later = admin.studios.schedule(
            admin.studios.list().items[0].id, project_ids=[other.id], what_if={"priorities": []}
        )
        admin.jobs.wait(later.id, timeout=120)
        still = web.get(f"/web/api/projects/{project_id}/gantt/scenario").json()
    assert before == {"job_id": None, "status": None, "moves": {}}
    assert after["job_id"] == job.id and after["status"] == "ready"
    assert still["job_id"] == job.id
    start, end, _ = after["moves"][str(animation.id)]
    scenario = catalog_json(base, f"/catalog/v1/schedule-jobs/{job.id}/scenario", {})
    move = next(m for m in scenario["moves"] if m["task_id"] == animation.id)
    assert (start, end) == (move["start"], move["end"])
    assert end > move["planned_end"]
