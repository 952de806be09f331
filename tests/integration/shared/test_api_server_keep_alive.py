"""An API server keeps an idle connection open longer than a pooling caller (httpx, as the web app, the
gateway and the services' own clients) keeps it: at uvicorn's default both gave up at 5 s, and a request
sent on a pooled connection just as the server closed it was lost with a ReadError."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import Receive, Scope, Send

from stalker_shared.process import api_server

from support.system import free_port_block

# Past uvicorn's default keep-alive (5 s) and httpx's default pool expiry (5 s).
IDLE_SECONDS = 5.5


async def peer_port(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with the caller's port: the same port twice means the same connection."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(scope["client"][1]).encode()})


async def test_a_connection_idle_past_the_callers_pool_expiry_is_still_open() -> None:
    port = free_port_block(1)
    server = api_server(peer_port, "127.0.0.1", port)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn's server has a flag, no event
            await asyncio.sleep(0.05)
        limits = httpx.Limits(keepalive_expiry=IDLE_SECONDS * 2)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:
            first = (await client.get("/")).text
            await asyncio.sleep(IDLE_SECONDS)
            second = (await client.get("/")).text
        assert first == second, "the server closed the idle connection within the caller's pool expiry"
    finally:
        server.should_exit = True
        await serving
