"""Embedded mode: the three services in one process on one port, SQLite files in a data folder and an
in-process broker behind the same publish/consume interface as RabbitMQ."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp

from stalker_host.dispatch import PrefixDispatcher, wants_page
from stalker_host.services import SERVICES
from stalker_shared.http import GuardedApp, create_service_app
from stalker_shared.http_guards import BodyLimitMiddleware
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers
from stalker_web.app import create_web_app
from stalker_web.context import WebContext
from stalker_web.settings import WebSettings


def embedded_runtimes(data_dir: Path | None = None, base_url: str | None = None) -> list[Runtime]:
    """One runtime per service, all on one in-process broker; settings come from the environment.
    `base_url` is where this process answers: services that call the catalog over HTTP call it there."""
    broker = InMemoryBroker()
    runtimes = []
    for service in SERVICES:
        overrides: dict[str, object] = {"data_dir": data_dir} if data_dir is not None else {}
        if base_url and "catalog_url" in service.settings.model_fields:  # type: ignore[attr-defined]
            overrides["catalog_url"] = base_url
        settings = service.settings(**overrides)
        runtimes.append(
            Runtime(service.definition(settings), settings, InMemoryTransport(broker), role="embedded")
        )
    return runtimes


def embedded_web(data_dir: Path | None = None, base_url: str | None = None) -> WebSettings:
    """The web app's settings: it calls the services at this process's own base URL."""
    defaults = WebSettings()
    return defaults.model_copy(
        update={"data_dir": data_dir or defaults.data_dir, "api_url": base_url or defaults.api_url}
    )


def create_embedded_app(
    runtimes: list[Runtime], grace: float = 10.0, web: WebSettings | None = None
) -> ASGIApp:
    web_context = WebContext(web or WebSettings(data_dir=runtimes[0].settings.data_dir))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(web_context.close)
            for runtime in runtimes:
                await runtime.open(migrate=True)
                stack.push_async_callback(runtime.close)
            for runtime in runtimes:
                workers = ServiceWorkers(runtime)
                await workers.start()
                stack.push_async_callback(workers.stop, grace)
            yield

    # The services' apps guard their own paths; the root answers the rest with the same guards.
    root = GuardedApp(title="Stalker", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    settings = runtimes[0].settings
    root.add_middleware(
        BodyLimitMiddleware, limit=settings.max_body_bytes, bulk_limit=settings.max_bulk_body_bytes
    )

    @root.get("/", response_model=None)
    async def index(request: Request) -> dict[str, object] | RedirectResponse:
        if wants_page(request.headers.get("accept")):
            return RedirectResponse("/web/", status_code=303)
        return {
            "name": "Stalker Services",
            "mode": "embedded",
            "services": {
                r.definition.name: {
                    "health": f"{r.definition.prefix}/healthz",
                    "docs": f"{r.definition.prefix}/docs",
                }
                for r in runtimes
            },
            "web": "/web/",
        }

    @root.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    apps: dict[str, ASGIApp] = {
        r.definition.name: create_service_app(r, manage_runtime=False) for r in runtimes
    }
    apps["web"] = create_web_app(web_context.settings, web_context)
    return PrefixDispatcher(apps, root)
