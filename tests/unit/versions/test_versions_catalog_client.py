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
