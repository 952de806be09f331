"""The web app's calls as the user: an expired access token is refreshed once, with the refresh token
used once even when several requests of one browser find it expired together; a refused refresh signs the
user out; a service's problem reaches the page with its field."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from stalker_web.api import Api, ApiError, Refresher, SignedOut
from stalker_web.session import Session


class Catalog:
    """A stand-in catalog: `fresh` is the only access token it accepts; each refresh token works once."""

    def __init__(self) -> None:
        self.fresh = "access-2"
        self.refreshes: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/catalog/v1/auth/refresh":
            token = json.loads(request.content)["refresh_token"]
            self.refreshes.append(token)
            if token != "refresh-1" or self.refreshes.count(token) > 1:
                return httpx.Response(401, json={"title": "Unauthorized", "detail": "used before"})
            return httpx.Response(200, json={"access_token": "access-2", "refresh_token": "refresh-2"})
        if request.headers["authorization"] != f"Bearer {self.fresh}":
            return httpx.Response(401, json={"title": "Unauthorized", "detail": "expired"})
        if request.url.path == "/catalog/v1/tasks/9":
            body = {"title": "Unprocessable Content", "detail": "name is too long", "field": "name"}
            return httpx.Response(422, json=body)
        return httpx.Response(200, json={"path": request.url.path})


def expired() -> Session:
    return Session(csrf="c", access_token="access-1", refresh_token="refresh-1", user_id=1, login="ann")


async def test_an_expired_token_is_refreshed_and_the_call_run_again() -> None:
    catalog = Catalog()
    async with httpx.AsyncClient(transport=httpx.MockTransport(catalog), base_url="http://t") as client:
        api = Api(client, expired(), Refresher())
        assert await api.get("/catalog/v1/projects") == {"path": "/catalog/v1/projects"}
    assert api.session.access_token == "access-2" and api.session.refresh_token == "refresh-2"
    assert catalog.refreshes == ["refresh-1"]


async def test_requests_finding_the_token_expired_together_refresh_it_once() -> None:
    catalog, refresher = Catalog(), Refresher()
    async with httpx.AsyncClient(transport=httpx.MockTransport(catalog), base_url="http://t") as client:
        apis = [Api(client, expired(), refresher) for _ in range(5)]
        answers = await asyncio.gather(*(api.get(f"/catalog/v1/tasks/{n}") for n, api in enumerate(apis)))
    assert len(answers) == 5
    assert catalog.refreshes == ["refresh-1"]  # reusing it would have revoked every session


async def test_a_refused_refresh_signs_the_user_out() -> None:
    catalog = Catalog()
    catalog.refreshes.append("refresh-1")  # used elsewhere already
    async with httpx.AsyncClient(transport=httpx.MockTransport(catalog), base_url="http://t") as client:
        with pytest.raises(SignedOut):
            await Api(client, expired(), Refresher()).get("/catalog/v1/projects")


async def test_a_services_problem_keeps_its_status_detail_and_field() -> None:
    catalog = Catalog()
    async with httpx.AsyncClient(transport=httpx.MockTransport(catalog), base_url="http://t") as client:
        with pytest.raises(ApiError) as raised:
            await Api(client, expired(), Refresher()).patch("/catalog/v1/tasks/9", {"name": "x" * 999})
    assert (raised.value.status, raised.value.detail, raised.value.field) == (422, "name is too long", "name")
