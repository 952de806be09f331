"""R9: PostgreSQL restarts while a worker process consumes. Handlers fail while it is away and return
their messages with a growing pause (so the outage does not use up the delivery limit); afterwards every
message has had its effect exactly once. The test starts the server again in `finally` whatever happens.
The server it restarts is its own (support/private_postgres.py), so the others' server stays up meanwhile."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from support.brokers import eventually
from support.harness import ProbeHarness
from support.private_postgres import PrivateServer, available, private_postgres
from support.probe import effect, effect_count
from support.probe_process import publish, start_worker
from support.servers import in_ci


@pytest.fixture(scope="module")
def private_server() -> Iterator[PrivateServer]:
    if not available():
        reason = "initdb and pg_ctl are not on this machine (the database runs elsewhere)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    with private_postgres() as server:
        yield server


@pytest.fixture(scope="module")
def pg_server(private_server: PrivateServer) -> str:
    """The probe's database on this module's own server (distributed_probe asks for `pg_server`)."""
    return private_server.url


def restart(command: list[str]) -> None:
    subprocess.run([*command, "restart"], check=True, capture_output=True, timeout=120)


def start(command: list[str]) -> None:
    """Start the server if it is down (after a failed restart); a no-op when it runs."""
    subprocess.run([*command, "start"], capture_output=True, timeout=120)


async def test_r9_database_restart_while_consuming_loses_and_duplicates_nothing(
    distributed_probe: ProbeHarness, private_server: PrivateServer, tmp_path: Path
) -> None:
    command = private_server.control
    probe, sent = distributed_probe, 300
    await publish(probe, sent)
    log = tmp_path / "worker.log"
    worker = start_worker(probe, delay=0.03, log=log)
    try:

        async def started() -> bool:
            return await effect_count(probe.engine) >= 20

        await eventually(started, timeout=60, what="the worker to start consuming")
        try:
            await asyncio.to_thread(restart, command)
        finally:
            await asyncio.to_thread(start, command)
        await probe.engine.dispose()  # the pool's connections died with the server

        async def drained() -> bool:
            try:
                return await effect_count(probe.engine) >= sent
            except Exception:  # still starting up
                return False

        await eventually(drained, timeout=120, what="the queue to drain after the restart")
        await asyncio.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    async with probe.engine.connect() as connection:
        total = await connection.scalar(select(func.count()).select_from(effect))
        distinct = await connection.scalar(select(func.count(func.distinct(effect.c.message_id))))
    assert (total, distinct) == (sent, sent)
    assert "message failed, returned to the queue" in log.read_text(), "the restart did not bite"
