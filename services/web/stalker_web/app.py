"""create_web_app(settings): the web app's routes, its session cookie, its error pages and its headers.
Every path starts with /web, since the hosts route by first path segment without rewriting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stalker_shared.http import GuardedApp
from stalker_shared.http_guards import BodyLimitMiddleware
from stalker_shared.problems import body_too_large_detail, body_too_large_response, problem_response
from stalker_web.api import ApiError, SignedOut
from stalker_web.context import BASE, STATIC, WebContext
from stalker_web.deps import CsrfRefused, current_session, render, set_session
from stalker_web.pages import auth, home, my_work, projects, reviews, schedule, tasks
from stalker_web.session import COOKIE, Session
from stalker_web.settings import WebSettings

# Pages load only this app's own files: no inline script, no other origin (studio networks are often
# offline, and nothing a user typed can run).
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_PREFIX = f"{BASE}/api/"


def create_web_app(settings: WebSettings, context: WebContext | None = None) -> FastAPI:
    web = context or WebContext(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await web.close()

    app = GuardedApp(title="Stalker web", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.web = web
    for module in (auth, home, projects, tasks, my_work, reviews, schedule):
        app.include_router(module.router, prefix=BASE)
    app.mount(f"{BASE}/static", StaticFiles(directory=STATIC), name="static")

    def refusal(scope: Scope, limit: int) -> ASGIApp:
        """A browser's page request over the limit gets the error page, a script problem details."""
        if _wants_page(scope):
            return _form_refused(Request(scope), web, 413, body_too_large_detail(limit))
        return body_too_large_response(limit)

    limit = settings.max_body_bytes
    app.add_middleware(BodyLimitMiddleware, limit=limit, bulk_limit=limit, refusal=refusal)
    # A 15,000-task Gantt's data is some megabytes of JSON; compressed, a few hundred kilobytes.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadAsGet)

    @app.get(f"{BASE}/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.middleware("http")
    async def session_cookie(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        opened = web.seal.open(request.cookies.get(COOKIE))
        set_session(request, opened or Session.anonymous())
        response = await call_next(request)
        session = current_session(request)
        if session != opened:
            response.set_cookie(
                COOKIE,
                web.seal.seal(session),
                max_age=web.seal.max_age_seconds,
                path=BASE,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookie,
            )
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["content-security-policy"] = PAGE_POLICY
            response.headers["cache-control"] = "no-store"
            # The app's own pages tell it where a form was (a sign-in that a form's post needed returns
            # there); other sites learn nothing.
            response.headers["referrer-policy"] = "same-origin"
        elif request.url.path.startswith(API_PREFIX):
            response.headers["cache-control"] = "no-store"
        return response

    @app.exception_handler(SignedOut)
    async def on_signed_out(request: Request, _: Exception) -> Response:
        set_session(request, current_session(request).signed_out())
        if request.url.path.startswith(API_PREFIX):
            return problem_response(401, "Unauthorized", "sign in again")
        return RedirectResponse(f"{BASE}/login?next={quote(_back_to(request), safe='')}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def on_csrf(request: Request, _: Exception) -> Response:
        detail = "the form was stale or came from another site; reload the page and try again"
        if request.url.path.startswith(API_PREFIX):
            return problem_response(403, "Forbidden", detail)
        signed_out = not current_session(request).signed_in and request.url.path != f"{BASE}/login"
        if signed_out:  # meanwhile, in another tab: sign in again, then back to the form's page
            return RedirectResponse(f"{BASE}/login?next={quote(_back_to(request), safe='')}", status_code=303)
        return render(request, web, "error.html", 403, title="Forbidden", detail=detail)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = [_field(error) for error in exc.errors()]
        detail = "; ".join(
            f"{name}: {error['msg']}" for name, error in zip(fields, exc.errors(), strict=True)
        )
        if request.url.path.startswith(API_PREFIX):
            return problem_response(422, "Unprocessable Content", detail, field=fields[0] if fields else None)
        return render(request, web, "error.html", 422, title="Check the form", detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code in (404, 405) and not request.url.path.startswith(API_PREFIX):
            title = "Not found" if exc.status_code == 404 else "Not allowed"
            return render(
                request, web, "error.html", exc.status_code, title=title, detail="There is no such page."
            )
        if _wants_page(request.scope):
            return _form_refused(request, web, exc.status_code, str(exc.detail))
        return problem_response(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        status = exc.status if 400 <= exc.status < 600 else 502
        if request.url.path.startswith(API_PREFIX):
            body = dict(exc.problem) or {"title": exc.title, "detail": exc.detail}
            return JSONResponse({**body, "status": status}, status_code=status)
        title = "Not found" if status == 404 else exc.title
        detail = "It does not exist, or it is not shared with you." if status == 404 else exc.detail
        return render(request, web, "error.html", status, title=title, detail=detail)

    return app


def _wants_page(scope: Scope) -> bool:
    """A browser asking for a page (not the pages' scripts asking the JSON API)."""
    accept = Headers(scope=scope).get("accept", "")
    return not str(scope["path"]).startswith(API_PREFIX) and "text/html" in accept


def _form_refused(request: Request, web: WebContext, status: int, detail: str) -> Response:
    """The error page for a request refused before any page saw it (a form too large, or unreadable)."""
    if status == 413:
        title, detail = "Too large", f"The form was too large to send: {detail}. Go back and shorten it."
    elif status == 400:
        title, detail = "Bad form", "The form could not be read. Go back, reload the page and try again."
    else:
        title = detail
    return render(request, web, "error.html", status, title=title, detail=detail)


class HeadAsGet:
    """HEAD answered as GET without the body (FastAPI's routes take only the methods they name), with
    the headers GET would have, Content-Length included. Servers drop a HEAD's body too; this does not
    rely on it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _back_to(request: Request) -> str:
    """Where to return after signing in again: the page asked for, or for a form's post (which has no
    page of its own) the page the form was on."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referrer = urlsplit(request.headers.get("referer", ""))
    if referrer.path.startswith(f"{BASE}/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return f"{BASE}/"


def _field(error: Mapping[str, Any]) -> str:
    """The form field or query parameter a validation error is about."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    return ".".join(location) or "request"
