"""Pages at their edges, without a browser: HEAD, signing in from a page with a long address, forms over
the size limit or unreadable, page numbers past the end (the tree, the task's versions, the projects) and
the Gantt's data for a parent outside its project."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from stalker_client import Stalker

from support.web import Show, csrf_token

NEXT = re.compile(r'name="next" value="([^"]*)"')
SignIn = Callable[[str, str], httpx.Client]


@pytest.fixture(scope="module")
def admin(show: Show) -> Iterator[Stalker]:
    with show.client() as client:
        yield client


@pytest.fixture(scope="module")
def project_id(admin: Stalker, show: Show) -> int:
    project = admin.projects.by_code(show.project_code)
    assert project is not None
    return project.id


def test_head_is_answered_as_get_without_a_body(web: httpx.Client, show: Show) -> None:
    for path in ("/web/", "/web/my-work", "/web/static/app.css"):
        got, head = web.get(path), web.head(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers["content-type"] == got.headers["content-type"]
    with httpx.Client(base_url=show.base) as anonymous:
        assert anonymous.head("/web/login").status_code == 200
        assert anonymous.head("/web/nowhere").status_code == 404


def test_signing_in_from_a_page_with_a_long_address_goes_home(show: Show, project_id: int) -> None:
    with httpx.Client(base_url=show.base, follow_redirects=False) as client:
        asked = client.get(f"/web/projects/{project_id}", params={"name": "日" * 250})
        assert asked.status_code == 303 and asked.headers["location"].startswith("/web/login?next=")
        form = client.get(asked.headers["location"])
        (back,) = NEXT.findall(form.text)
        assert back == "/web/"
        fields = {"csrf_token": csrf_token(form), "login": show.login, "password": show.password}
        answer = client.post("/web/login", data={**fields, "next": back})
        assert (answer.status_code, answer.headers["location"]) == (303, "/web/")


def test_a_login_as_long_as_the_catalog_takes_is_checked_not_refused(show: Show) -> None:
    with httpx.Client(base_url=show.base) as client:
        form = client.get("/web/login")
        assert 'maxlength="256"' in form.text
        fields = {"csrf_token": csrf_token(form), "login": "x" * 256, "password": "nope"}
        answer = client.post("/web/login", data=fields)
        assert answer.status_code == 401 and "Wrong login or password" in answer.text


def test_a_form_too_large_or_unreadable_gets_the_error_page(web: httpx.Client, project_id: int) -> None:
    page = {"accept": "text/html,application/xhtml+xml"}
    declared = web.post("/web/logout", data={"description": "x" * 300_000}, headers=page)
    assert declared.status_code == 413 and declared.headers["content-type"].startswith("text/html")
    assert "The form was too large to send" in declared.text

    def chunks() -> Iterator[bytes]:
        yield b"description="
        for _ in range(40):
            yield b"x" * 10_000

    streamed = web.post(
        "/web/logout",
        content=chunks(),
        headers={**page, "content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413 and "The form was too large to send" in streamed.text

    garbled = web.post(
        "/web/logout",
        content=b"--x\r\nnot a part",
        headers={**page, "content-type": "multipart/form-data"},  # no boundary: unreadable
    )
    assert garbled.status_code == 400 and garbled.headers["content-type"].startswith("text/html")
    assert "The form could not be read" in garbled.text

    script = web.post(f"/web/api/projects/{project_id}/schedule", content=b"x" * 300_000, headers=page)
    assert script.status_code == 413
    assert script.headers["content-type"] == "application/problem+json"
    assert web.get("/web/").status_code == 200  # still signed in


def test_a_versions_page_far_past_the_end_goes_to_the_last_page(web: httpx.Client, admin: Stalker) -> None:
    comp = admin.tasks.first(name="comp")
    assert comp is not None
    task = f"/web/tasks/{comp.id}"
    past = web.get(task, params={"versions_page": "999999999", "os": "windows"}, follow_redirects=False)
    assert (past.status_code, past.headers["location"]) == (303, f"{task}?versions_page=1&os=windows")
    page = web.get(task, params={"versions_page": "999999999"}, follow_redirects=True)
    assert page.status_code == 200 and "<h1>comp" in page.text


def test_my_work_past_the_end_goes_to_the_last_page(web: httpx.Client) -> None:
    past = web.get("/web/my-work", params={"offset": "99999", "week": "2014-04-07"}, follow_redirects=False)
    assert (past.status_code, past.headers["location"]) == (303, "/web/my-work?offset=0&week=2014-04-07")


def test_a_form_posted_after_signing_out_in_another_tab_signs_in_again(
    show: Show, admin: Stalker, sign_in: SignIn
) -> None:
    # A user of this test's own: signing out ends every session of the user.
    admin.users.create(name="Two Tabs", login="twotabs", email="tabs@example.com", password="two-tabs-pw")
    browser = sign_in("twotabs", "two-tabs-pw")
    form_tab = browser.get("/web/my-work")  # a page with a form, left open
    other_tab = browser.get("/web/")
    assert browser.post("/web/logout", data={"csrf_token": csrf_token(other_tab)}).status_code in (200, 303)
    posted = browser.post(
        "/web/my-work/tasks/1/time-logs",
        data={"csrf_token": csrf_token(form_tab)},
        headers={"referer": f"{show.base}/web/my-work"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/web/login?next="), (
        posted.text[:300]
    )


def test_a_tree_page_past_the_end_goes_to_the_last_page(web: httpx.Client, project_id: int) -> None:
    tree = f"/web/projects/{project_id}"
    past = web.get(tree, params={"page": "5", "sort": "name"}, follow_redirects=False)
    assert (past.status_code, past.headers["location"]) == (303, f"{tree}?sort=name")
    assert "SH001" in web.get(tree, params={"page": "5"}, follow_redirects=True).text


def test_the_gantt_data_of_a_parent_outside_the_project_is_not_found(
    web: httpx.Client, admin: Stalker, show: Show, project_id: int
) -> None:
    artist = admin.users.first(login=show.login)
    assert artist is not None
    other = admin.projects.create(name="Other Show", code="OS", user_ids=[artist.id])
    elsewhere = admin.tasks.create(name="Elsewhere", project_id=other.id)
    gantt = f"/web/api/projects/{project_id}/gantt"
    assert web.get(gantt, params={"parent": elsewhere.id}).status_code == 404
    assert web.get(gantt, params={"parent": 99_999_999}).status_code == 404
    too_big = web.get(gantt, params={"parent": 99_999_999_999})
    assert too_big.status_code == 422 and too_big.json()["field"] == "parent"
    assert web.get(f"/web/api/projects/{other.id}/gantt", params={"parent": elsewhere.id}).status_code == 200


def test_the_projects_come_a_page_at_a_time(admin: Stalker, sign_in: SignIn) -> None:
    for number in range(101):
        admin.projects.create(name=f"Paged {number:03d}", code=f"PG{number:03d}")
    client = sign_in("admin", "admin")
    first = client.get("/web/")
    total = admin.projects.list(limit=1).total
    assert f"Page 1 of 2 · {total} projects" in first.text
    assert '<a rel="next" href="?page=2">Next</a>' in first.text
    second = client.get("/web/", params={"page": "2"})
    shown = re.findall(r'<td><a href="/web/projects/\d+">([^<]*)</a></td>', first.text + second.text)
    assert len(shown) == total and len(set(shown)) == total
    assert '<a rel="prev" href="?page=1">Previous</a>' in second.text
    past = client.get("/web/", params={"page": "9"}, follow_redirects=False)
    assert (past.status_code, past.headers["location"]) == (303, "/web/?page=2")
