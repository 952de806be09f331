"""A small reverse proxy giving the distributed services one base URL, routed by path prefix.
For `make run` on a laptop; a studio deploys the compose gateway or a Kubernetes ingress instead."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.types import Receive, Scope, Send

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
    }
)
MAX_BODY = 32 * 1024 * 1024


class Gateway:
    def __init__(self, upstreams: Mapping[str, str], timeout: float = 60.0) -> None:
        self._upstreams = {name: url.rstrip("/") for name, url in upstreams.items()}
        self._client = httpx.AsyncClient(timeout=timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        segment = scope["path"].lstrip("/").split("/", 1)[0]
        upstream = self._upstreams.get(segment)
        if upstream is None:
            known = ", ".join(f"/{name}" for name in sorted(self._upstreams))
            await problem_response(404, "Not Found", f"no service at this path; services: {known}")(
                scope, receive, send
            )
            return
        body = await _read_body(receive)
        if body is None:
            await problem_response(
                413, "Content Too Large", f"request bodies are limited to {MAX_BODY} bytes"
            )(scope, receive, send)
            return
        url = upstream + scope["raw_path"].decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
        request = self._client.build_request(scope["method"], url, headers=headers, content=body)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            await problem_response(502, "Bad Gateway", f"{segment} did not answer: {type(exc).__name__}")(
                scope, receive, send
            )
            return
        try:
            out_headers = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": out_headers}
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)
