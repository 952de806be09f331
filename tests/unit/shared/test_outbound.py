"""Asking the catalog who a caller is makes a client per request: it must not build a TLS context (the
CA bundle read, ~18 ms of CPU on the event loop) each time."""

from __future__ import annotations

import ssl

import httpx
import pytest

from stalker_shared.auth import Principal
from stalker_shared.catalog_callers import CatalogCallers
from stalker_shared.outbound import tls_context


async def test_caller_lookups_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    tls_context()  # built once for the process, before counting
    built: list[object] = []
    real = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    me = {"id": 7, "login": "ann", "is_admin": False, "project_roles": {"3": "artist"}}

    async def answer(self: object, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=me)

    # The client's own transport (the one that builds a TLS context), answering without a network.
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", answer)
    callers = CatalogCallers("https://catalog.test")
    for n in range(5):
        access = await callers.load_access(None, Principal(7, "ann", False, 0, token=f"token-{n}"))
        assert access.user_id == 7
    assert built == []
