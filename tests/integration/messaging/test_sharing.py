"""Two consumers of one queue with prefetch 1 share its messages, on both transports: while one holds a
message the next goes to the other, and neither ever holds two (how scheduler replicas share a split job's
parts)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.messaging.queues import SCHEDULER_REQUESTS, stalker_topology
from stalker_shared.messaging.transport import Delivery, DeliveryHandler, OutgoingMessage
from stalker_shared.runtime import Runtime

from support.brokers import BrokerUnderTest


@pytest.fixture(params=["memory", "rabbitmq"])
async def broker(request: pytest.FixtureRequest, namespace: str) -> AsyncIterator[BrokerUnderTest]:
    topology = stalker_topology(namespace)
    url = request.getfixturevalue("amqp_server") if request.param == "rabbitmq" else None
    broker = BrokerUnderTest(request.param, topology, url=url)
    try:
        yield broker
    finally:
        await broker.cleanup()


async def test_two_consumers_with_prefetch_one_take_one_message_each_at_a_time(
    broker: BrokerUnderTest,
) -> None:
    queue = broker.topology.name(SCHEDULER_REQUESTS)
    publisher = broker.transport()
    await publisher.connect()
    await publisher.declare(broker.topology)
    taken: dict[str, list[bytes]] = {"a": [], "b": []}
    holding = {"a": 0, "b": 0}
    most = {"a": 0, "b": 0}
    done = asyncio.Event()

    def consumer(name: str) -> DeliveryHandler:
        async def handle(delivery: Delivery) -> None:
            holding[name] += 1
            most[name] = max(most[name], holding[name])
            taken[name].append(delivery.body)
            await asyncio.sleep(0.3)  # a tj3 run
            holding[name] -= 1
            await delivery.ack()
            if sum(len(bodies) for bodies in taken.values()) == 4:
                done.set()

        return handle

    consumptions = []
    for name in ("a", "b"):
        transport = broker.transport()
        await transport.connect()
        consumptions.append(await transport.consume(queue, consumer(name), 1))
    for n in range(4):
        await publisher.publish(
            OutgoingMessage(
                exchange=broker.topology.name("catalog"),
                routing_key="catalog.schedule.requested.v1",
                body=f"part {n}".encode(),
                message_id=str(uuid.uuid4()),
                correlation_id="sharing",
                type="catalog.schedule.requested",
            )
        )
    try:
        await asyncio.wait_for(done.wait(), timeout=20)
    finally:
        for consumption in consumptions:
            await consumption.cancel()
    # Each took a share, one at a time (how the four split depends on when each publish lands).
    assert len(taken["a"]) >= 1 and len(taken["b"]) >= 1 and len(taken["a"]) + len(taken["b"]) == 4, taken
    assert most == {"a": 1, "b": 1}


async def test_a_scheduler_worker_takes_one_schedule_request_at_a_time(tmp_path: Path) -> None:
    settings = SchedulerSettings(data_dir=tmp_path, consumer_prefetch=16)
    runtime = Runtime(scheduler_definition(settings), settings, InMemoryTransport(InMemoryBroker()))
    try:
        [consumer] = runtime.consumers()
        assert consumer._prefetch == 1
    finally:
        await runtime.close()
