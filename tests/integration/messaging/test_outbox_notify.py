"""On PostgreSQL an API process's commit wakes the relay in its worker process at once: the transaction
that writes outbox rows sends a notification, delivered on commit, to the relay's listening connection.
Without it a message waited for the relay's next poll (0.5 s by default; 60 s here, so only the
notification can explain a prompt publish). A listener whose connection is killed comes back."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from sqlalchemy import select, text

from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

from support.databases import listening_pids
from support.harness import ProbeHarness
from support.probe import MESSAGING, ProbeEvent, probe_definition

OUTBOX = MESSAGING.outbox


async def _published_within(runtime: Runtime, message_id: uuid.UUID, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with runtime.sessionmaker() as session:
            published = await session.scalar(
                select(OUTBOX.c.published_at).where(OUTBOX.c.message_id == message_id)
            )
        if published is not None:
            return True
        await asyncio.sleep(0.05)
    return False


async def _commit_one(runtime: Runtime, n: int) -> uuid.UUID:
    async with runtime.unit_of_work() as uow:
        envelope = await uow.publish(ProbeEvent(n=n))
        await uow.commit()
    return envelope.message_id


async def _listeners(runtime: Runtime) -> list[int]:
    return await listening_pids(runtime.sessionmaker)


@pytest.fixture
async def worker_and_api(distributed_probe: ProbeHarness) -> tuple[Runtime, Runtime]:
    """A relay polling every 60 s in one runtime (the worker), and another that only commits (an API)."""
    settings = distributed_probe.settings.model_copy(update={"outbox_poll_interval": 60.0})
    worker = Runtime(
        probe_definition(),
        settings,
        distributed_probe.broker.transport(),
        topology=distributed_probe.broker.topology,
    )
    distributed_probe.runtimes.append(worker)
    await worker.open(migrate=False)
    api = await distributed_probe.runtime()
    return worker, api


async def test_a_commit_in_another_process_wakes_the_relay(worker_and_api: tuple[Runtime, Runtime]) -> None:
    worker, api = worker_and_api
    workers = ServiceWorkers(worker, consumers=False)
    await workers.start()
    try:
        for _ in range(100):
            if await _listeners(worker):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the relay's first batch done: it waits for its 60 s poll now
        for n in range(3):
            message_id = await _commit_one(api, n)
            assert await _published_within(worker, message_id, 5), f"message {n} waited for the poll"
    finally:
        assert await workers.stop(10)


async def test_a_killed_listener_comes_back(worker_and_api: tuple[Runtime, Runtime]) -> None:
    worker, api = worker_and_api
    workers = ServiceWorkers(worker, consumers=False)
    await workers.start()
    try:
        for _ in range(100):
            if first := await _listeners(worker):
                break
            await asyncio.sleep(0.05)
        async with api.sessionmaker() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first[0]})
        for _ in range(200):
            now = await _listeners(worker)
            if now and now != first:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the relay did not listen again")
        message_id = await _commit_one(api, 1)
        assert await _published_within(worker, message_id, 5)
    finally:
        assert await workers.stop(10)
