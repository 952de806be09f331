"""Distributed mode on one machine: each service's API and worker as separate processes over
PostgreSQL and RabbitMQ, behind the gateway. Databases are created and migrated first."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception_type, retry_if_result, wait_exponential
from tenacity.wait import wait_base

from stalker_host.services import SERVICES
from stalker_shared.logging import get_logger
from stalker_shared.waiting import pause

_log = get_logger(__name__)


@dataclass(frozen=True)
class ServerUrls:
    postgres: str  # a server URL, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432
    amqp: str

    def database_url(self, service: str, prefix: str = "stalker") -> str:
        parts = urlsplit(self.postgres)
        scheme = "postgresql+asyncpg" if parts.scheme in ("postgres", "postgresql") else parts.scheme
        return urlunsplit((scheme, parts.netloc, f"/{prefix}_{service}", parts.query, ""))


def service_env(
    urls: ServerUrls, service: str, *, health_port: int, db_prefix: str, namespace: str, catalog_url: str
) -> dict[str, str]:
    key = f"STALKER_{service.upper()}_"
    return {
        **os.environ,
        key + "DATABASE_URL": urls.database_url(service, db_prefix),
        key + "BROKER_URL": urls.amqp,
        key + "HEALTH_PORT": str(health_port),
        key + "MESSAGING_NAMESPACE": namespace,
        key + "CATALOG_URL": catalog_url,
    }


async def ensure_database(urls: ServerUrls, service: str, prefix: str) -> None:
    parts = urlsplit(urls.postgres)
    admin_dsn = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    name = f"{prefix}_{service}"
    connection = await asyncpg.connect(admin_dsn)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def _command(service: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"stalker_{service}.cli", *args]


class PortTaken(RuntimeError):
    """A port the distributed system needs is already in use."""


def service_ports(base_port: int, index: int) -> tuple[int, int]:
    """The ports of the `index`th service: its API's and its worker's health server's (after the gateway's
    base port, two per service, the web app's last)."""
    return base_port + 1 + 2 * index, base_port + 2 + 2 * index


def web_port(base_port: int) -> int:
    return base_port + 1 + 2 * len(SERVICES)


def ports_of(base_port: int) -> dict[int, str]:
    """Every port the distributed system listens on, and what for."""
    ports = {base_port: "the gateway"}
    for index, service in enumerate(s.name for s in SERVICES):
        api, health = service_ports(base_port, index)
        ports[api], ports[health] = f"the {service} API", f"the {service} worker's health server"
    ports[web_port(base_port)] = "the web app"
    return ports


def check_ports_free(host: str, base_port: int) -> None:
    """Refuse to start when a port is taken: a service failing to bind would leave the gateway sending its
    requests to whatever process holds that port (another system's, with its own users and tokens)."""
    for port, purpose in ports_of(base_port).items():
        bound_on = host if port == base_port else "127.0.0.1"
        with socket.socket() as probe:
            probe.setsockopt(
                socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
            )  # as the servers bind: TIME_WAIT is free
            try:
                probe.bind((bound_on, port))
            except OSError:
                raise PortTaken(
                    f"port {port} ({purpose}) is taken on {bound_on}: stop what listens there or choose "
                    f"another base port (--port or STALKER_PORT; the system uses {base_port} to "
                    f"{max(ports_of(base_port))})"
                ) from None


HEALTHY_RUN = 60.0  # seconds: a process that ran this long before it died is started again at once
RESTART_WAIT = wait_exponential(multiplier=0.5, max=30)  # 0.5 s, 1 s, 2 s... for one that keeps dying


@dataclass(frozen=True)
class _Exit:
    code: int
    ran_for: float  # seconds


@dataclass
class _Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None


class Supervisor:
    """The system's processes, each started again when it fails (a crash, the OOM killer, a kill by
    hand), as compose's `on-failure` restarts a container: after a pause that grows while it keeps failing
    at once, so a process that cannot start (its database away) is retried without spinning. One that
    exits cleanly was asked to (a signal of its own) and stays stopped. Messages a dead worker held return
    to their queues; the gateway answers 502 for a dead API until it is back."""

    def __init__(self, restart_wait: wait_base = RESTART_WAIT, healthy_run: float = HEALTHY_RUN) -> None:
        self._restart_wait, self._healthy_run = restart_wait, healthy_run
        self._children: list[_Child] = []
        self._keepers: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._grace = 25.0  # stop()'s, for a process that was being started as it began

    async def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        child = _Child(name, argv, env)
        child.process = await asyncio.create_subprocess_exec(*argv, env=env)
        self._children.append(child)
        self._keepers.append(asyncio.create_task(self._keep(child), name=f"keep {name}"))

    @property
    def processes(self) -> list[asyncio.subprocess.Process]:
        return [c.process for c in self._children if c.process is not None]

    async def stop(self, grace: float = 25.0) -> None:
        self._grace = grace
        self._stopping.set()
        await stop_processes(self.processes, grace)
        await asyncio.gather(*self._keepers)

    async def _keep(self, child: _Child) -> None:
        while True:
            retrying = AsyncRetrying(
                retry=retry_if_exception_type(OSError)  # it could not be started (no memory to fork)
                | retry_if_result(self._died_young),
                wait=self._restart_wait,
                sleep=partial(pause, self._stopping),  # cut short when the system stops
                before_sleep=lambda state: _log.info(
                    "restarting after a pause", process=child.name, pause=state.upcoming_sleep
                ),
            )
            async for attempt in retrying:
                with attempt:
                    ended = await self._run(child)
                if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
                    attempt.retry_state.set_result(ended)
            if self._stopping.is_set() or ended.code == 0:
                return  # a process that stopped cleanly was asked to (a signal of its own): it stays stopped
            # It failed after a healthy run: started again at once, its pauses counted afresh.

    def _died_young(self, ended: _Exit) -> bool:
        return not self._stopping.is_set() and ended.code != 0 and ended.ran_for < self._healthy_run

    async def _run(self, child: _Child) -> _Exit:
        """Wait for the child to exit (starting it first if it is not running)."""
        loop = asyncio.get_running_loop()
        if child.process is None or child.process.returncode is not None:
            if self._stopping.is_set():
                return _Exit(0, 0.0)
            child.process = await asyncio.create_subprocess_exec(*child.argv, env=child.env)
            if self._stopping.is_set():  # stop() began while it was starting, and did not see it
                await stop_processes([child.process], self._grace)
                return _Exit(0, 0.0)
            _log.info("process started again", process=child.name, pid=child.process.pid)
        started = loop.time()
        ended = _Exit(await child.process.wait(), loop.time() - started)
        if not self._stopping.is_set():
            _log.warning(
                "process exited",
                process=child.name,
                exit_code=ended.code,
                ran_seconds=round(ended.ran_for, 1),
            )
        return ended


async def start_services(
    urls: ServerUrls,
    supervisor: Supervisor,
    *,
    base_port: int,
    db_prefix: str = "stalker",
    namespace: str = "",
) -> dict[str, str]:
    """Create, migrate and start every service under the supervisor; returns each one's API URL."""
    upstreams: dict[str, str] = {}
    for index, service in enumerate(s.name for s in SERVICES):
        api_port, health_port = service_ports(base_port, index)
        env = service_env(
            urls,
            service,
            health_port=health_port,
            db_prefix=db_prefix,
            namespace=namespace,
            catalog_url=f"http://127.0.0.1:{base_port}",  # through the gateway
        )
        await ensure_database(urls, service, db_prefix)
        migration = await asyncio.create_subprocess_exec(*_command(service, "migrate"), env=env)
        if await migration.wait() != 0:
            raise RuntimeError(f"migrating {service} failed")
        await supervisor.start(f"{service} api", _command(service, "api", "--port", str(api_port)), env)
        await supervisor.start(f"{service} worker", _command(service, "worker"), env)
        upstreams[service] = f"http://127.0.0.1:{api_port}"
    web = web_port(base_port)
    # The web app's development session key is kept in the same data folder as embedded mode's.
    web_env = {
        "STALKER_WEB_DATA_DIR": os.environ.get("STALKER_DATA_DIR", "data"),
        **os.environ,
        "STALKER_WEB_API_URL": f"http://127.0.0.1:{base_port}",
    }
    await supervisor.start("web", [sys.executable, "-m", "stalker_web.cli", "--port", str(web)], web_env)
    upstreams["web"] = f"http://127.0.0.1:{web}"
    return upstreams


async def stop_processes(processes: list[asyncio.subprocess.Process], grace: float = 25.0) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), timeout=grace)
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                process.kill()
        await asyncio.gather(*(p.wait() for p in processes))
