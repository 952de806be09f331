"""The whole system as `make run` starts it, for end-to-end tests: embedded (one process, SQLite, the
in-process broker) or distributed (each service's API and worker as processes over PostgreSQL and
RabbitMQ, behind the gateway), on free ports, stopped with SIGTERM and cleaned up afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from support.databases import asyncpg_dsn

SERVICES = ("catalog", "versions", "scheduler")


@dataclass(frozen=True)
class RunningSystem:
    """A system a fixture started: its base URL, base port and the file its output goes to."""

    base: str
    port: int
    log: Path


def free_port_block(size: int) -> int:
    """A base port with `size` free ports after it, for a server started next.

    Taken below the kernel's ephemeral range, where no outgoing connection (to PostgreSQL, RabbitMQ, a
    service) can take one of them between this check and the server's bind, and in a slice of its own
    for each pytest-xdist worker, so that parallel workers never pick the same block."""
    low, high = _port_slice()
    for _ in range(200):
        base = random.randrange(low, high - size)
        if all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError(f"no block of {size} free ports in {low}-{high}")


def _port_slice() -> tuple[int, int]:
    """This worker's share of the ports from 10000 to the start of the ephemeral range."""
    ephemeral = 32768
    with contextlib.suppress(OSError, ValueError):
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    low, high = 10000, max(ephemeral, 12000)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1...; unset without xdist
    count = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    index = int(worker[2:]) % count if worker[2:].isdigit() else 0
    width = (high - low) // count
    return low + index * width, low + (index + 1) * width


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_until_ready(
    base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60, also: tuple[str, ...] = ()
) -> None:
    """Until each service answers ready through `base`, and each URL in `also` answers 200."""
    urls = [f"{base}/{s}/readyz" for s in SERVICES] + list(also)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the system exited early:\n{log.read_text()[-3000:]}")
        try:
            if all(httpx.get(url, timeout=2).status_code == 200 for url in urls):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"the system did not become ready:\n{log.read_text()[-3000:]}")


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "stalker_host.cli", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def clean_environment() -> dict[str, str]:
    """This process's environment without any STALKER_ setting (the system under test gets its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("STALKER_")}


@contextmanager
def embedded_system(data_dir: Path, log: Path) -> Iterator[str]:
    """The embedded system on a free port; yields its base URL."""
    with embedded_process(data_dir, log) as (base, _):
        yield base


@contextmanager
def embedded_process(data_dir: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The embedded system on a free port; yields its base URL and its process (stopped at the end)."""
    port = free_port_block(1)
    process = start(["embedded", "--port", str(port), "--data-dir", str(data_dir)], clean_environment(), log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process, log)
        yield base, process
    finally:
        assert stop(process) == 0


@contextmanager
def distributed_system(pg_server: str, amqp_server: str, log: Path) -> Iterator[tuple[str, int]]:
    """The distributed system with its own databases and broker namespace; yields (base URL, port)."""
    with distributed_process(pg_server, amqp_server, log) as (base, port, _):
        yield base, port


@contextmanager
def distributed_process(
    pg_server: str,
    amqp_server: str,
    log: Path,
    *,
    prefix: str | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """The distributed system; yields (base URL, port, its process), stopped and cleaned up at the end.
    Its databases are named `{prefix}_{service}`; `settings` adds STALKER_ variables to its environment."""
    port = free_port_block(2 + 2 * len(SERVICES))  # the gateway, each API and its worker, the web app
    prefix = prefix or f"stalker_e2e_{uuid.uuid4().hex[:8]}"
    namespace = f"e2e{uuid.uuid4().hex[:8]}."
    env = clean_environment() | {
        "STALKER_POSTGRES_URL": pg_server.rsplit("/", 1)[0],
        "STALKER_AMQP_URL": amqp_server,
        "STALKER_DATABASE_PREFIX": prefix,
        "STALKER_MESSAGING_NAMESPACE": namespace,
        "STALKER_DATA_DIR": str(log.parent / "data"),
        **(settings or {}),
    }
    process = start(["distributed", "--port", str(port)], env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        # The workers too (their health servers, on the ports after each API's): a worker may start after
        # the APIs answer ready, and the tests talk to them.
        workers = tuple(f"http://127.0.0.1:{port + 2 + 2 * i}/readyz" for i in range(len(SERVICES)))
        workers += (f"{base}/web/healthz",)
        wait_until_ready(base, process, log, timeout=90, also=workers)
        yield base, port, process
    finally:
        assert stop(process) == 0
        drop_databases(pg_server, prefix)
        delete_namespace(amqp_server, namespace)


def drop_databases(server: str, prefix: str) -> None:
    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(server))
        try:
            for service in SERVICES:
                await connection.execute(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


def delete_namespace(url: str, namespace: str) -> None:
    import aio_pika

    from stalker_shared.messaging.queues import stalker_topology

    async def delete() -> None:
        topology = stalker_topology(namespace)
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            for spec in topology.queues:
                await channel.queue_delete(topology.name(spec.name))
                await channel.queue_delete(topology.name(spec.dead_letter_queue))
            for exchange in topology.exchanges:
                await channel.exchange_delete(topology.name(exchange))
        finally:
            await connection.close()

    asyncio.run(delete())


def require_tj3() -> None:
    """Skip without TaskJuggler's tj3 (scheduling needs it), except under CI=true, where it fails."""
    import shutil

    import pytest

    from support.servers import in_ci

    if shutil.which("tj3") or Path("/usr/bin/tj3").exists():
        return
    reason = "tj3 is not installed (apt-get install tj3, or gem install taskjuggler)"
    if in_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)
