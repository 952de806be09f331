"""R1: messages keep flowing through outbox, relay and consumer while RabbitMQ restarts in the middle.
The broker application is stopped and started again with rabbitmqctl (the Erlang node and the quorum
queues' data stay); the test starts it again in `finally` whatever happens."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from stalker_shared.workers import ServiceWorkers

from support.brokers import eventually
from support.harness import ProbeHarness
from support.probe import ProbeEvent, effect, effect_count
from support.servers import in_ci

# RabbitMQ goes away for every other test meanwhile: `make test` runs this alone, before the parallel pass.
pytestmark = pytest.mark.serial


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def broker_control() -> None:
    if shutil.which("rabbitmqctl") is None:
        reason = "rabbitmqctl is not on this machine (the broker runs elsewhere)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


async def test_r1_a_broker_restart_loses_and_duplicates_nothing(
    distributed_probe: ProbeHarness, broker_control: None
) -> None:
    probe, batches, per_batch = distributed_probe, 40, 10
    runtime = await probe.runtime()
    workers = ServiceWorkers(runtime)
    await workers.start()

    async def produce() -> None:
        for batch in range(batches):
            async with runtime.unit_of_work() as uow:
                for n in range(per_batch):
                    await uow.publish(ProbeEvent(n=batch * per_batch + n))
                await uow.commit()
            await asyncio.sleep(0.1)

    producing = asyncio.create_task(produce())
    try:
        await asyncio.sleep(1.0)
        await asyncio.to_thread(rabbitmqctl, "stop_app")
        await asyncio.sleep(2.0)  # commits go on meanwhile: they wait in the outbox
    finally:
        await asyncio.to_thread(rabbitmqctl, "start_app")
    await producing
    sent = batches * per_batch

    async def drained() -> bool:
        return await effect_count(probe.engine) >= sent and await runtime.relay.backlog() == 0

    try:
        await eventually(drained, timeout=90, what="every message after the restart")
        await asyncio.sleep(1.0)  # a late duplicate would show up now
    finally:
        await workers.stop(grace=10)
    async with probe.engine.connect() as connection:
        total = await connection.scalar(select(func.count()).select_from(effect))
        distinct = await connection.scalar(select(func.count(func.distinct(effect.c.n))))
    lost, duplicated = sent - (distinct or 0), (total or 0) - sent
    assert (lost, duplicated) == (0, 0)
