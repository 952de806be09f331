"""The FastAPI application of a service: its routers under its prefix, health, metrics, problem details,
correlation ids and request metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stalker_shared.correlation import accepted_id, correlation_scope
from stalker_shared.docs import install_docs
from stalker_shared.http_guards import BodyLimitMiddleware, SecurityHeadersMiddleware
from stalker_shared.metrics import CONTENT_TYPE_LATEST, HTTP_LATENCY, HTTP_REQUESTS, generate_latest
from stalker_shared.openapi_responses import PROBLEM_RESPONSES
from stalker_shared.problems import install_problem_handlers
from stalker_shared.runtime import Runtime

CORRELATION_HEADER = "x-correlation-id"


def health_router(runtime: Runtime, prefix: str) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers (no dependency is called)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.definition.name}

    @router.get("/readyz", summary="Readiness: database reachable, migrations at head, broker connected")
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(value == "ok" for value in checks.values())
        body = {
            "status": "ready" if ready else "not ready",
            "service": runtime.definition.name,
            "checks": checks,
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
    async def metrics() -> Response:
        await runtime.relay.backlog()
        await runtime.relay.parked()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class ObservabilityMiddleware:
    """Binds a correlation id to each request (taken from the caller or made here), returns it in the
    response, and records request counts and latency by route template."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        supplied = headers.get(CORRELATION_HEADER.encode(), b"").decode("latin-1")
        correlation_id = accepted_id(supplied)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (CORRELATION_HEADER.encode(), correlation_id.encode()),
                ]
            await send(message)

        with correlation_scope(correlation_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = getattr(scope.get("route"), "path", "unmatched")
                HTTP_REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
                HTTP_LATENCY.labels(self.service, scope["method"], route).observe(
                    time.perf_counter() - started
                )


class GuardedApp(FastAPI):
    """FastAPI with the security headers outside all of its middleware, so that even the 500 of an
    unhandled error carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_service_app(runtime: Runtime, *, manage_runtime: bool = True) -> FastAPI:
    """The service's HTTP app. With manage_runtime the app opens and closes the runtime itself;
    the embedded host opens runtimes on its own and passes False."""
    definition = runtime.definition
    prefix = definition.prefix

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            await runtime.open()
        try:
            yield
        finally:
            if manage_runtime:
                await runtime.close()

    app = GuardedApp(
        title=f"Stalker {definition.name}",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=None,  # install_docs serves it without a public CDN
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    install_docs(app, prefix)
    if definition.configure_app is not None:
        definition.configure_app(app)
    app.include_router(health_router(runtime, prefix))
    app.router.routes.extend(_service_routes(tuple(definition.routers), prefix))
    settings = runtime.settings
    app.add_middleware(
        BodyLimitMiddleware, limit=settings.max_body_bytes, bulk_limit=settings.max_bulk_body_bytes
    )
    app.add_middleware(ObservabilityMiddleware, service=definition.name)
    return app


# Keyed by the routers' identities (an APIRouter is not hashable); each entry keeps its routers alive.
_MOUNTED: dict[tuple[str, tuple[int, ...]], tuple[tuple[APIRouter, ...], tuple[BaseRoute, ...]]] = {}


def _service_routes(routers: tuple[APIRouter, ...], prefix: str) -> tuple[BaseRoute, ...]:
    """The definition's routers as mounted under its prefix, made once for every app built from them.
    FastAPI sets an included route up (its parameters, body and response models) on an app's first request
    and keeps that on the mounted route: apps that share the mounted routes pay it once per process rather
    than once per app (most of the test suite's CPU, which builds an app per test). The routes hold no
    state of an app (a request reaches its runtime through `request.app`)."""
    key = (prefix, tuple(map(id, routers)))
    if key not in _MOUNTED:
        mount = APIRouter()
        for router in routers:
            mount.include_router(router, prefix=prefix, responses=PROBLEM_RESPONSES)
        _MOUNTED[key] = (routers, tuple(mount.routes))
    return _MOUNTED[key][1]


def create_health_app(runtime: Runtime) -> FastAPI:
    """The small HTTP app a worker process serves for its probes and metrics."""
    app = GuardedApp(
        title=f"Stalker {runtime.definition.name} worker", openapi_url=None, docs_url=None, redoc_url=None
    )
    app.include_router(health_router(runtime, runtime.definition.prefix))
    app.include_router(health_router(runtime, ""))
    return app
