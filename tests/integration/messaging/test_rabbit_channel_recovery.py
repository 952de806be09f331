"""The RabbitMQ transport's channels, left closed on a live connection (as aio-pika leaves a robust channel
when a drop interrupts its reopening, mosquito/aio-pika#668), are replaced: the publish on a stranded
publishing channel fails as a PublishError (the outbox keeps the row), the next one goes out on a new
channel; a stranded consuming channel is started again on a new one and the queue's messages keep coming."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest

from stalker_shared.messaging import RabbitTransport
from stalker_shared.messaging.topology import Binding, QueueSpec, Topology
from stalker_shared.messaging.transport import Delivery, OutgoingMessage, PublishError

from support.brokers import BrokerUnderTest


@pytest.fixture
async def broker(amqp_server: str, namespace: str) -> AsyncIterator[BrokerUnderTest]:
    topology = Topology(queues=(QueueSpec("probe.events", (Binding("catalog", "#"),)),), namespace=namespace)
    under_test = BrokerUnderTest("rabbitmq", topology, url=amqp_server)
    yield under_test
    await under_test.cleanup()


def message() -> OutgoingMessage:
    key = str(uuid.uuid4())
    return OutgoingMessage(
        "catalog", "catalog.probe.happened.v1", b"{}", key, key, "catalog.probe.happened.v1"
    )


async def test_a_publishing_channel_left_closed_on_a_live_connection_is_replaced(
    broker: BrokerUnderTest,
) -> None:
    transport = broker.transport()
    assert isinstance(transport, RabbitTransport)
    await transport.connect()
    await transport.declare(broker.topology)
    first, second, third = message(), message(), message()
    named = [
        OutgoingMessage(
            broker.topology.name(m.exchange), m.routing_key, m.body, m.message_id, m.correlation_id, m.type
        )
        for m in (first, second, third)
    ]
    await transport.publish(named[0])
    stranded = transport._publish_channel
    assert stranded is not None
    await stranded.close()  # closed for good, the connection still up

    with pytest.raises(PublishError):
        await transport.publish(named[1])
    await transport.publish(named[1])  # again, as the relay does: on a new channel
    await transport.publish(named[2])

    assert transport._publish_channel is not stranded and transport.is_connected()
    queue = broker.topology.name("probe.events")
    arrived = []
    connection = await aio_pika.connect(broker.url)
    try:
        channel = await connection.channel()
        declared = await channel.get_queue(queue)
        while (got := await declared.get(fail=False, no_ack=True)) is not None:
            arrived.append(got.message_id)
    finally:
        await connection.close()
    assert arrived == [m.message_id for m in (first, second, third)]


async def test_a_consuming_channel_left_closed_on_a_live_connection_is_started_again(
    broker: BrokerUnderTest,
) -> None:
    """Without the watchdog the queue's consumption would stop for good, and nothing would say so."""
    transport = RabbitTransport(broker.url or "", connection_name="tests", channel_check_seconds=0.2)
    await transport.connect()
    try:
        await transport.declare(broker.topology)
        received: list[str | None] = []
        sent = [message() for _ in range(3)]
        all_in = asyncio.Event()

        async def handler(delivery: Delivery) -> None:
            received.append(delivery.message_id)
            await delivery.ack()
            if len(received) == len(sent):
                all_in.set()

        consumption = await transport.consume(broker.topology.name("probe.events"), handler, prefetch=4)
        stranded = consumption.channel
        assert stranded is not None
        await stranded.close()  # closed for good, the connection still up

        for m in sent:
            exchange = broker.topology.name(m.exchange)
            await transport.publish(
                OutgoingMessage(exchange, m.routing_key, m.body, m.message_id, m.correlation_id, m.type)
            )
        await asyncio.wait_for(all_in.wait(), timeout=10)
        assert received == [m.message_id for m in sent]
        assert consumption.channel is not stranded and not consumption.channel.is_closed
    finally:
        await transport.close()
