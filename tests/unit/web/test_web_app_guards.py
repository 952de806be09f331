"""The web app's own answers, before any service is called: sign-in redirects, CSRF refusals, form
errors naming the field, unknown pages, body limits and the page headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from stalker_web.app import create_web_app
from stalker_web.settings import WebSettings


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # No service answers at this URL: these answers must not need one.
    app = create_web_app(WebSettings(data_dir=tmp_path, api_url="http://127.0.0.1:9"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def csrf_of(browser: httpx.AsyncClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', (await browser.get("/web/login")).text)
    assert found is not None
    return found[1]


async def test_a_page_asks_a_stranger_to_sign_in_first(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/web/my-work?status=WIP")
    assert response.status_code == 303
    assert response.headers["location"] == "/web/login?next=%2Fweb%2Fmy-work%3Fstatus%3DWIP"


async def test_the_sign_in_page_loads_nothing_from_elsewhere_and_is_not_cached(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/web/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text  # no inline script
    assert re.findall(r'(?:src|href)="(https?:)?//', response.text) == []


async def test_a_form_without_the_sessions_csrf_token_is_refused(browser: httpx.AsyncClient) -> None:
    await csrf_of(browser)
    response = await browser.post("/web/login", data={"login": "admin", "password": "admin"})
    assert response.status_code == 403
    assert "reload the page" in response.text


async def test_a_form_missing_a_field_says_which(browser: httpx.AsyncClient) -> None:
    response = await browser.post("/web/login", data={"csrf_token": await csrf_of(browser), "login": "admin"})
    assert response.status_code == 422
    assert "password: Field required" in response.text


async def test_an_oversized_form_is_refused_as_it_arrives(browser: httpx.AsyncClient) -> None:
    data = {"csrf_token": await csrf_of(browser), "login": "a", "password": "x" * 300_000}
    response = await browser.post("/web/login", data=data)
    assert response.status_code == 413


async def test_an_unknown_page_is_a_404_page_and_an_unknown_api_path_a_problem(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/web/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no such page." in page.text
    api = await browser.get("/web/api/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


async def test_the_services_being_down_is_a_502_page_not_a_500(browser: httpx.AsyncClient) -> None:
    response = await browser.post(
        "/web/login", data={"csrf_token": await csrf_of(browser), "login": "admin", "password": "admin"}
    )
    assert response.status_code == 502
    assert "did not answer" in response.text


async def test_a_form_posted_after_the_session_ended_returns_to_its_page_after_sign_in(
    browser: httpx.AsyncClient,
) -> None:
    token = await csrf_of(browser)
    response = await browser.post(
        "/web/my-work/tasks/13/time-logs",
        data={"csrf_token": token, "hours": "2"},
        headers={"Referer": "http://testserver/web/my-work/tasks/13?x=1"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/web/login?next=%2Fweb%2Fmy-work%2Ftasks%2F13%3Fx%3D1"


async def test_pages_tell_only_the_app_where_they_were_and_script_answers_are_not_cached(
    browser: httpx.AsyncClient,
) -> None:
    assert (await browser.get("/web/login")).headers["referrer-policy"] == "same-origin"
    assert (await browser.get("/web/api/projects/1/gantt")).headers["cache-control"] == "no-store"
