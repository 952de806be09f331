"""ASGI guards every HTTP app of ours sits behind: security headers on every response, and a size limit
on request bodies, counted as they arrive (chunked ones too) so an oversized body is never held whole."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stalker_shared.problems import BodyTooLarge, body_too_large_response

SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
}
CSP = b"content-security-policy"
# JSON answers load nothing and may be framed by no one.
API_POLICY = b"default-src 'none'; frame-ancestors 'none'"
# The docs page runs Swagger UI (its files come from this service); it may be framed by no one either.
PAGE_POLICY = b"frame-ancestors 'none'"
# Routes that take many items in one request (`POST /catalog/v1/tasks/bulk`) get the larger limit.
BULK_SUFFIX = "/bulk"


class SecurityHeadersMiddleware:
    """Adds the security headers to every response that does not set them itself (so wrapping an app
    twice, as the embedded host does, changes nothing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                html = (Headers(raw=headers).get("content-type") or "").startswith("text/html")
                wanted = {**SECURITY_HEADERS, CSP: PAGE_POLICY if html else API_POLICY}
                headers += [(name, value) for name, value in wanted.items() if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# How a body over the limit is answered, given the request and the limit (default: 413 problem details).
Refusal = Callable[[Scope, int], ASGIApp]


def _problem_refusal(_: Scope, limit: int) -> ASGIApp:
    return body_too_large_response(limit)


class BodyLimitMiddleware:
    """Refuses a request body over the limit with 413 (`refusal`'s answer, problem details naming it by
    default): at once when its Content-Length says so, else as soon as the bytes received pass it, before
    the app has read more."""

    def __init__(
        self, app: ASGIApp, *, limit: int, bulk_limit: int, refusal: Refusal = _problem_refusal
    ) -> None:
        self.app, self.limit, self.bulk_limit, self.refusal = app, limit, bulk_limit, refusal

    def limit_for(self, path: str) -> int:
        return self.bulk_limit if path.rstrip("/").endswith(BULK_SUFFIX) else self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self.refusal(scope, limit)(scope, receive, send)
            return
        received, started = 0, False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException, which FastAPI's body reading lets through to the problem handler.
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await self.refusal(scope, limit)(scope, receive, send)
