"""End to end: the whole system as `make run` starts it, embedded (one process) and distributed (each
service's API and worker as separate processes over PostgreSQL and RabbitMQ, behind the gateway)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.databases import asyncpg_dsn

SERVICES = ("catalog", "versions", "scheduler")


def free_port_block(size: int) -> int:
    """A base port with `size` free ports after it."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65000 and all(_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free port block")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_until_ready(base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the system exited early:\n{log.read_text()[-3000:]}")
        try:
            if all(httpx.get(f"{base}/{s}/readyz", timeout=2).status_code == 200 for s in SERVICES):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"the system did not become ready:\n{log.read_text()[-3000:]}")


@pytest.fixture
def system_log(tmp_path: Path) -> Path:
    return tmp_path / "system.log"


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


def check_message_flow(base: str, log: Path) -> None:
    """A project made in the catalog reaches the versions service's read model through the broker, and
    the request's correlation id follows it into the consumer's logs."""
    correlation_id = f"e2e-{uuid.uuid4()}"
    code = f"P{uuid.uuid4().hex[:6]}"
    # Development mode: init made the admin with the password "admin".
    login = httpx.post(f"{base}/catalog/v1/auth/token", data={"username": "admin", "password": "admin"})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    created = httpx.post(
        f"{base}/catalog/v1/projects",
        json={"name": "Fancy Commercial", "code": code},
        headers={"x-correlation-id": correlation_id, "Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-correlation-id"] == correlation_id
    project_id = created.json()["id"]
    deadline = time.monotonic() + 30
    seen = None
    while time.monotonic() < deadline:
        seen = httpx.get(
            f"{base}/versions/v1/projects/{project_id}", headers={"Authorization": f"Bearer {token}"}
        )
        if seen.status_code == 200:
            break
        time.sleep(0.1)
    assert seen is not None and seen.status_code == 200, seen.text if seen else "no answer"
    assert seen.json()["code"] == code
    processed = [
        json.loads(line)
        for line in log.read_text().splitlines()
        if correlation_id in line and "message processed" in line
    ]
    assert processed and processed[0]["queue"].endswith("versions.catalog-events")


@pytest.fixture
def embedded_system(tmp_path: Path, system_log: Path) -> Iterator[str]:
    port = free_port_block(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STALKER_")}
    process = start(["embedded", "--port", str(port), "--data-dir", str(tmp_path / "data")], env, system_log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process, system_log)
        yield base
    finally:
        assert stop(process) == 0


def test_embedded_system_serves_all_services_on_one_base_url(embedded_system: str, system_log: Path) -> None:
    index = httpx.get(embedded_system + "/").json()
    assert index["mode"] == "embedded"
    for service in SERVICES:
        assert httpx.get(f"{embedded_system}/{service}/healthz").json()["service"] == service
        assert httpx.get(f"{embedded_system}/{service}/openapi.json").status_code == 200
    check_message_flow(embedded_system, system_log)


@pytest.fixture
def distributed_system(pg_server: str, amqp_server: str, system_log: Path) -> Iterator[tuple[str, int]]:
    port = free_port_block(8)
    prefix = f"stalker_e2e_{uuid.uuid4().hex[:8]}"
    namespace = f"e2e{uuid.uuid4().hex[:8]}."
    env = {k: v for k, v in os.environ.items() if not k.startswith("STALKER_")}
    env |= {
        "STALKER_POSTGRES_URL": pg_server.rsplit("/", 1)[0],
        "STALKER_AMQP_URL": amqp_server,
        "STALKER_DATABASE_PREFIX": prefix,
        "STALKER_MESSAGING_NAMESPACE": namespace,
    }
    process = start(["distributed", "--port", str(port)], env, system_log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process, system_log, timeout=90)
        yield base, port
    finally:
        assert stop(process) == 0
        _drop(pg_server, prefix)
        _delete_namespace(amqp_server, namespace)


def _drop(server: str, prefix: str) -> None:
    import asyncio

    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(server))
        try:
            for service in SERVICES:
                await connection.execute(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


def _delete_namespace(url: str, namespace: str) -> None:
    import asyncio

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


def test_distributed_services_run_as_separate_processes_behind_one_base_url(
    distributed_system: tuple[str, int], system_log: Path
) -> None:
    base, port = distributed_system
    for index, service in enumerate(SERVICES):
        ready = httpx.get(f"{base}/{service}/readyz").json()
        assert ready["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok"}
        worker = f"http://127.0.0.1:{port + 2 + 2 * index}"
        assert httpx.get(f"{worker}/healthz").json()["service"] == service
        assert httpx.get(f"{worker}/readyz").status_code == 200
        assert "stalker_consumer_messages_total" in httpx.get(f"{worker}/metrics").text
    check_message_flow(base, system_log)
    assert httpx.get(f"{base}/nowhere").status_code == 404
