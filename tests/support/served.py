"""The three services in this process, served by uvicorn on a loopback port from a thread of their own:
embedded (SQLite files, the in-process broker) or distributed (a PostgreSQL database per service and
RabbitMQ under a namespace of its own). The scheduler's `tjp` route and the versions service call the
catalog over HTTP, so a real port (not an ASGI transport) lets every route answer as deployed."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from stalker_host.embedded import create_embedded_app
from stalker_host.services import SERVICES
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.process import KEEP_ALIVE_SECONDS
from stalker_shared.runtime import Runtime

from support.catalog import Catalog
from support.databases import create_database, drop_database, sqlalchemy_url
from support.system import delete_namespace, free_port_block

T = TypeVar("T")


@dataclass
class ServedSystem:
    base: str
    runtimes: dict[str, Runtime]
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """A coroutine run on the server's loop (its engines and connections live there)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def token_for(self, login: str) -> dict[str, str]:
        """Headers with a token minted with the catalog's key, as tests do (no Argon2 login)."""
        catalog = Catalog(self.runtimes["catalog"], None)  # type: ignore[arg-type]
        return self.run(catalog.token_for(login))


def _runtimes(data_dir: Path, base: str, overrides: dict[str, dict[str, Any]]) -> list[Runtime]:
    """One runtime per service, sharing data_dir (and so the development key pair)."""
    broker = InMemoryBroker()  # embedded: one in-process broker for the three (ignored with a broker_url)
    runtimes = []
    for service in SERVICES:
        settings: dict[str, Any] = {"data_dir": data_dir, "outbox_poll_interval": 0.05}
        if "catalog_url" in service.settings.model_fields:  # type: ignore[attr-defined]
            settings["catalog_url"] = base
        settings |= overrides.get(service.name, {})
        built = service.settings(**settings)
        transport = None if built.broker_url else InMemoryTransport(broker)
        runtimes.append(Runtime(service.definition(built), built, transport, role="embedded"))
    return runtimes


@contextmanager
def served_system(
    mode: str,
    data_dir: Path,
    pg_server: str | None = None,
    amqp_server: str | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
) -> Iterator[ServedSystem]:
    """The system in `mode` ("embedded" or "distributed") on a free port, stopped and cleaned up after;
    `settings` per service name override its defaults."""
    port = free_port_block(1)
    base = f"http://127.0.0.1:{port}"
    overrides: dict[str, dict[str, Any]] = {name: dict(values) for name, values in (settings or {}).items()}
    databases: list[str] = []
    namespace = ""
    if mode == "distributed":
        assert pg_server is not None and amqp_server is not None
        namespace = f"fz{uuid.uuid4().hex[:8]}."
        for service in SERVICES:
            name = f"stalker_fuzz_{service.name}_{uuid.uuid4().hex[:8]}"
            asyncio.run(create_database(pg_server, name))
            databases.append(name)
            overrides.setdefault(service.name, {}).update(
                {
                    "database_url": sqlalchemy_url(pg_server, name),
                    "broker_url": amqp_server,
                    "messaging_namespace": namespace,
                }
            )
    runtimes = _runtimes(data_dir, base, overrides)
    app = create_embedded_app(runtimes)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=KEEP_ALIVE_SECONDS
        )
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    try:
        _wait_until_ready(base, server, thread)
        yield ServedSystem(base, {r.definition.name: r for r in runtimes}, loop)
    finally:
        server.should_exit = True
        thread.join(60)
        loop.close()
        for name in databases:
            asyncio.run(drop_database(str(pg_server), name))
        if namespace:
            delete_namespace(str(amqp_server), namespace)


def _wait_until_ready(
    base: str, server: uvicorn.Server, thread: threading.Thread, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise AssertionError("the server stopped while starting")
        if server.started:
            urls = [f"{base}/{s.name}/readyz" for s in SERVICES]
            try:
                if all(httpx.get(url, timeout=5).status_code == 200 for url in urls):
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    raise AssertionError("the services did not become ready")


@contextmanager
def served_as_parametrized(
    request: pytest.FixtureRequest, data_dir: Path, settings: dict[str, dict[str, Any]] | None = None
) -> Iterator[ServedSystem]:
    """`served_system` in the mode a fixture is parametrized with ("embedded" or "distributed", which
    takes the session's PostgreSQL and RabbitMQ servers)."""
    servers: dict[str, str] = {}
    if request.param == "distributed":
        servers = {
            "pg_server": request.getfixturevalue("pg_server"),
            "amqp_server": request.getfixturevalue("amqp_server"),
        }
    with served_system(request.param, data_dir, **servers, settings=settings) as served:
        yield served
