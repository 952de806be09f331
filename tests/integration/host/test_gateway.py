"""The dev gateway (distributed mode's one base URL) in front of a real HTTP server: an upstream error is
passed on as it is, and the gateway keeps serving the requests after it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from stalker_host.gateway import Gateway

from support.system import free_port_block

# After answering 500 the upstream closes the connection (uvicorn does once an unhandled exception has
# reached it and was logged); a request sent on that connection meanwhile and still running is lost. Here
# the close comes CLOSE_DELAY after the 500, and the request after it takes twice as long.
CLOSE_DELAY = 0.2


async def upstream(scope: Scope, receive: Receive, send: Send) -> None:
    """`/svc/fail` answers 500 and then fails as an unhandled exception does; `/svc/slow` takes a while;
    each answers 200 with what it was sent."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/svc/stream":
        await _stream_until_gone(receive, send)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/svc/who":
        body = dict(scope["headers"]).get(b"x-forwarded-for", b"")
    failing = scope["path"] == "/svc/fail"
    if scope["path"] == "/svc/slow":
        await asyncio.sleep(2 * CLOSE_DELAY)
    status, text = (500, b"Internal Server Error") if failing else (200, b"ran: " + body)
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(text)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})
    if failing:
        await asyncio.sleep(CLOSE_DELAY)
        raise RuntimeError("the upstream's handler failed")


STREAMS_ENDED: list[float] = []  # when each of the upstream's streams saw its client go


async def _stream_until_gone(receive: Receive, send: Send) -> None:
    """An event stream: a line every 50 ms until the client goes away."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]}
    )

    async def lines() -> None:
        while True:
            await send({"type": "http.response.body", "body": b": tick\n\n", "more_body": True})
            await asyncio.sleep(0.05)

    ticking = asyncio.create_task(lines())
    while (await receive())["type"] != "http.disconnect":
        pass
    STREAMS_ENDED.append(time.monotonic())
    ticking.cancel()


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """`app` under a real uvicorn on a loopback port; yields its base URL."""
    port = free_port_block(1)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="critical", timeout_graceful_shutdown=3
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@pytest.fixture
async def upstream_url() -> AsyncIterator[str]:
    async with served(upstream) as url:
        yield url


@pytest.fixture
async def through_gateway(upstream_url: str) -> AsyncIterator[httpx.AsyncClient]:
    gateway = Gateway({"svc": upstream_url})
    transport = httpx.ASGITransport(app=gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        try:
            yield client
        finally:
            await gateway.close()


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_the_request_after_an_upstream_500_is_run(
    through_gateway: httpx.AsyncClient, method: str
) -> None:
    for attempt in range(3):
        failed = await through_gateway.post("/svc/fail", json={"attempt": attempt})
        assert failed.status_code == 500 and failed.text == "Internal Server Error"
        after = await through_gateway.request(method, "/svc/slow", content=f"request {attempt}".encode())
        assert after.status_code == 200, after.text
        assert after.text == f"ran: request {attempt}"


async def test_requests_beside_a_failing_one_all_succeed(through_gateway: httpx.AsyncClient) -> None:
    ok = [through_gateway.post("/svc/ok", content=str(n).encode()) for n in range(10)]
    failing, *answers = await asyncio.gather(through_gateway.get("/svc/fail"), *ok)
    assert failing.status_code == 500
    assert [a.text for a in answers] == [f"ran: {n}" for n in range(10)]
    after = await through_gateway.get("/svc/after")
    assert after.status_code == 200


async def test_the_upstream_is_told_the_address_the_gateway_saw_never_one_the_client_claims(
    through_gateway: httpx.AsyncClient,
) -> None:
    """The login throttle counts failures per address from X-Forwarded-For: a client must not choose it."""
    response = await through_gateway.post("/svc/who", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.text == "ran: 127.0.0.1"


async def test_a_client_leaving_a_stream_ends_it_upstream(upstream_url: str) -> None:
    """The events API counts each user's open streams: one the gateway kept reading after its client left
    held a slot until the token expired, and a tool reconnecting got 429."""
    before = len(STREAMS_ENDED)
    async with served(Gateway({"svc": upstream_url})) as gateway, httpx.AsyncClient() as client:
        async with client.stream("GET", f"{gateway}/svc/stream") as stream:
            async for _ in stream.aiter_bytes():
                break  # the client reads one line and leaves
        left = time.monotonic()
        for _ in range(100):
            if len(STREAMS_ENDED) > before:
                break
            await asyncio.sleep(0.05)
    assert len(STREAMS_ENDED) > before, "the upstream stream lived on after its client left"
    assert STREAMS_ENDED[-1] - left < 5
