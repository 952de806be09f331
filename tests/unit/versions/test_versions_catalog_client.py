"""The HTTP lookup of catalog tasks and projects: the caller's token forwarded, extra fields ignored,
and every failure turned into a clear error."""

from __future__ import annotations

import httpx
import pytest

from stalker_versions.catalog_client import HttpCatalog
from stalker_versions.domain.errors import CatalogUnavailable, Forbidden


def catalog(handler: httpx.MockTransport) -> HttpCatalog:
    return HttpCatalog("http://catalog.test/", timeout=1, transport=handler)


async def test_a_task_is_read_with_the_callers_token() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"id": 42, "project_id": 34, "parent_id": 41, "kind": "task", "name": "comp", "revision": 3}
        return httpx.Response(200, json={**body, "status": "WIP", "resources": []})

    task = await catalog(httpx.MockTransport(answer)).task(42, "tok")
    assert task is not None and (task.name, task.parent_id, task.revision) == ("comp", 41, 3)
    assert str(seen[0].url) == "http://catalog.test/catalog/v1/tasks/42"
    assert seen[0].headers["Authorization"] == "Bearer tok" and seen[0].headers["x-correlation-id"]


async def test_missing_is_none_refused_is_forbidden_and_anything_else_unavailable() -> None:
    def status(code: int) -> httpx.MockTransport:
        return httpx.MockTransport(lambda _: httpx.Response(code, json={}))

    assert await catalog(status(404)).project(1, None) is None
    with pytest.raises(Forbidden):
        await catalog(status(403)).project(1, None)
    with pytest.raises(CatalogUnavailable, match="answered 500"):
        await catalog(status(500)).project(1, None)
    with pytest.raises(CatalogUnavailable, match="could not be read"):
        await catalog(status(200)).project(1, None)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(CatalogUnavailable, match="could not be reached"):
        await catalog(httpx.MockTransport(unreachable)).task(1, None)


async def test_a_projects_members_are_read_with_their_access_levels() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        members = [
            {"user_id": 7, "role": "producer"},
            {"user_id": 8, "role": "viewer", "since": "2026-01-01"},  # extra fields are let go
        ]
        body = {"id": 34, "name": "Fancy Commercial", "code": "FC", "revision": 2, "members": members}
        return httpx.Response(200, json={**body, "status": "RTS", "user_ids": [7, 8]})

    project = await catalog(httpx.MockTransport(answer)).project(34, "tok")
    assert project is not None
    assert [(m.user_id, m.role) for m in project.members] == [(7, "producer"), (8, "viewer")]
