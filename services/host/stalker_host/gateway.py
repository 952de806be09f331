"""A small reverse proxy giving the distributed services one base URL, routed by path prefix.
For `make run` on a laptop; a studio deploys the compose gateway or a Kubernetes ingress instead."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping

import httpx
from starlette.datastructures import Headers
from starlette.responses import RedirectResponse
from starlette.types import Receive, Scope, Send

from stalker_host.dispatch import wants_page
from stalker_shared.problems import problem_response

# Hop-by-hop headers are not forwarded (RFC 9110 section 7.6.1).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        # Set by the gateway itself from the address it saw: one a client sent could name anyone, and the
        # services behind trust it (uvicorn's proxy headers) for the login throttle's per-address count.
        b"x-forwarded-for",
    }
)
# A request has a body when one of these says so; it is streamed on with its own Content-Length, if any.
FRAMING = frozenset({b"content-length", b"transfer-encoding"})


class _Connections:
    """One pool of kept-alive upstream connections and the requests using it."""

    def __init__(self, timeout: float) -> None:
        self.client = httpx.AsyncClient(timeout=timeout)
        self.in_use = 0
        self.retired = False

    async def release(self) -> None:
        self.in_use -= 1
        if self.retired and self.in_use == 0:
            await self.client.aclose()


class Gateway:
    def __init__(self, upstreams: Mapping[str, str], timeout: float = 60.0) -> None:
        self._upstreams = {name: url.rstrip("/") for name, url in upstreams.items()}
        self._timeout = timeout
        self._connections = _Connections(timeout)

    def _retire_connections(self, connections: _Connections) -> None:
        # An upstream that answered 5xx may close its connection just after (uvicorn does once an
        # unhandled exception reaches it), and a request sent on that kept-alive connection meanwhile would
        # be lost. So after a 5xx, new requests get fresh connections; the old pool closes when its last
        # request ends.
        if connections is self._connections:
            connections.retired = True
            self._connections = _Connections(self._timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        segment = scope["path"].lstrip("/").split("/", 1)[0]
        if segment == "" and "web" in self._upstreams and wants_page(Headers(scope=scope).get("accept")):
            await RedirectResponse("/web/", status_code=303)(scope, receive, send)
            return
        upstream = self._upstreams.get(segment)
        if upstream is None:
            known = ", ".join(f"/{name}" for name in sorted(self._upstreams))
            await problem_response(404, "Not Found", f"no service at this path; services: {known}")(
                scope, receive, send
            )
            return
        url = upstream + scope["raw_path"].decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
        if scope.get("client"):
            headers.append((b"x-forwarded-for", scope["client"][0].encode("latin-1")))
        # The body is passed on as it arrives, never held here: the service refuses one over its limit.
        framing = {k.lower(): v for k, v in scope["headers"] if k.lower() in FRAMING}
        if b"content-length" in framing:
            headers.append((b"content-length", framing[b"content-length"]))
        content = _body(receive) if framing else None
        request = httpx.Request(scope["method"], url, headers=headers, content=content)
        connections = self._connections
        connections.in_use += 1
        try:
            await self._forward(connections, segment, request, scope, receive, send, has_body=bool(framing))
        finally:
            await connections.release()

    async def _forward(
        self,
        connections: _Connections,
        segment: str,
        request: httpx.Request,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        has_body: bool,
    ) -> None:
        try:
            response = await connections.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            self._retire_connections(connections)
            await problem_response(502, "Bad Gateway", f"{segment} did not answer: {type(exc).__name__}")(
                scope, receive, send
            )
            return
        if response.status_code >= 500:
            self._retire_connections(connections)
        try:
            out_headers = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": out_headers}
            )
            if has_body:
                await _pass_on(response, send)
            else:
                await _pass_on_until_gone(response, receive, send)
        finally:
            await response.aclose()

    async def close(self) -> None:
        """Close the upstream connections (at shutdown, when no request is running)."""
        await self._connections.client.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _pass_on(response: httpx.Response, send: Send) -> None:
    async for chunk in response.aiter_raw():
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _pass_on_until_gone(response: httpx.Response, receive: Receive, send: Send) -> None:
    """The answer passed on until it ends or the client goes away. A client that leaves an event stream
    is not told to the gateway by a failed send (the server drops what is sent after a disconnect), so
    without watching for it the upstream stream, and the user's stream slot there, would live on until
    the token expired. Only for requests without a body: their next message can only be the disconnect."""
    passing = asyncio.ensure_future(_pass_on(response, send))
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        await asyncio.wait({passing, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (passing, gone):
            task.cancel()
        await asyncio.gather(passing, gone, return_exceptions=True)
    if passing.done() and not passing.cancelled():
        passing.result()  # raises what passing the answer on raised


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return  # the client went away
        if chunk := message.get("body", b""):
            yield chunk
        if not message.get("more_body"):
            return
