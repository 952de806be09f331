"""Running a service's processes: the API under uvicorn, the worker (relay and consumers) with its health
server, and the one-shot migration. Shared by the service CLIs and the embedded host."""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from stalker_shared.draining import Draining
from stalker_shared.http import create_health_app
from stalker_shared.logging import get_logger
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

_log = get_logger(__name__)

# How long an idle kept-alive connection stays open. It must outlast how long the callers in front keep one
# pooled (httpx: 5 s): at uvicorn's default, also 5 s, a request sent on a
# pooled connection as the server closed it was lost with a ReadError (the web app's Gantt, once, in CI).
KEEP_ALIVE_SECONDS = 75
# How long a stopping API waits for its responses in flight before it cancels them: below Kubernetes'
# 30 s grace (and compose's stop_grace_period), so the process still exits 0 rather than being killed.
GRACEFUL_SHUTDOWN_SECONDS = 25


def settle_heap() -> None:
    """Take what start-up made and keeps (modules, routes, compiled statements, caches) out of the
    garbage collector's generations, so a full collection scans only what requests allocate. A list of
    10,000 tasks allocates enough to run one or two full collections; over a heap of some 200,000
    start-up objects each took 110-120 ms (bench/api.py, py-spy)."""
    gc.collect()
    gc.freeze()


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that runs it and, when it serves the
    process's app (not a worker's side health server), settles the heap once the app has started."""

    def __init__(self, config: uvicorn.Config, *, settle: bool = True) -> None:
        super().__init__(config)
        self.settle = settle
        self.draining = Draining()

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # The lifespan state is copied into each request's scope["state"] (request.state).
        self.lifespan.state["draining"] = self.draining
        await super().startup(sockets)
        if self.settle:
            settle_heap()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.draining.start()
        await super().shutdown(sockets)


def api_server(app: ASGIApp, host: str, port: int) -> EmbeddedServer:
    return EmbeddedServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    )


async def serve(app: ASGIApp, host: str, port: int, *, on_drain: Callable[[], None] | None = None) -> None:
    """Serve an ASGI app until SIGTERM or SIGINT, then shut down gracefully and return (exit status 0);
    `on_drain` is called when the server stops accepting and waits for the responses in flight."""
    server = api_server(app, host, port)
    if on_drain is not None:
        server.draining.on_drain(on_drain)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: setattr(server, "should_exit", True))
    await server.serve()


async def migrate(runtime: Runtime) -> None:
    await runtime.migrate()
    await runtime.engine.dispose()


async def run_worker(runtime: Runtime, *, relay: bool = True, consumers: bool = True) -> int:
    """Run relay and consumers until SIGTERM or SIGINT, then stop within the grace period (R11)."""
    settings = runtime.settings
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.open()
    workers = ServiceWorkers(runtime, relay=relay, consumers=consumers)
    health = EmbeddedServer(
        uvicorn.Config(
            create_health_app(runtime),
            host=settings.health_host,
            port=settings.health_port,
            log_config=None,
            lifespan="off",
        ),
        settle=False,  # the worker settles its heap once its workers have started
    )
    health_task = asyncio.create_task(health.serve()) if settings.health_port else None
    try:
        await workers.start()
        settle_heap()
        _log.info("worker ready", service=runtime.definition.name, health_port=settings.health_port)
        await stop.wait()
        _log.info("worker stopping", service=runtime.definition.name, grace=settings.shutdown_grace_seconds)
        clean = await workers.stop(settings.shutdown_grace_seconds)
    finally:
        if health_task is not None:
            health.should_exit = True
            await health_task
        await runtime.close()
    return 0 if clean else 1
