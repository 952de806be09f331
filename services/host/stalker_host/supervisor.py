"""Distributed mode on one machine: each service's API and worker as separate processes over
PostgreSQL and RabbitMQ, behind the gateway. Databases are created and migrated first."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from stalker_host.services import SERVICES
from stalker_shared.logging import get_logger

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


async def start_services(
    urls: ServerUrls, *, base_port: int, db_prefix: str = "stalker", namespace: str = ""
) -> tuple[list[asyncio.subprocess.Process], dict[str, str]]:
    """Create, migrate and start every service; returns the processes and each service's API URL."""
    processes: list[asyncio.subprocess.Process] = []
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
        processes.append(
            await asyncio.create_subprocess_exec(*_command(service, "api", "--port", str(api_port)), env=env)
        )
        processes.append(await asyncio.create_subprocess_exec(*_command(service, "worker"), env=env))
        upstreams[service] = f"http://127.0.0.1:{api_port}"
    web = web_port(base_port)
    # The web app's development session key is kept in the same data folder as embedded mode's.
    web_env = {
        "STALKER_WEB_DATA_DIR": os.environ.get("STALKER_DATA_DIR", "data"),
        **os.environ,
        "STALKER_WEB_API_URL": f"http://127.0.0.1:{base_port}",
    }
    processes.append(
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "stalker_web.cli", "--port", str(web), env=web_env
        )
    )
    upstreams["web"] = f"http://127.0.0.1:{web}"
    return processes, upstreams


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
