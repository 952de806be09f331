"""RabbitMQ transport on aio-pika: robust connections, publisher confirms, persistent messages,
quorum queues with delivery limits and dead-letter queues, manual acknowledgements."""

from __future__ import annotations

import asyncio
import struct

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
)
from pamqp.commands import Basic
from pamqp.exceptions import PAMQPException
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from stalker_shared.logging import get_logger
from stalker_shared.messaging.topology import DLQ_ARGUMENTS, Topology, queue_arguments
from stalker_shared.messaging.transport import (
    DeliveryHandler,
    MessageRefused,
    OutgoingMessage,
    PublishError,
)

_log = get_logger(__name__)

# Errors that belong to one message, not to the connection: the client cannot encode it (a property
# beyond AMQP's limits), or the broker closed the channel over it (PRECONDITION_FAILED: too large).
_REFUSALS = (
    TypeError,
    ValueError,
    struct.error,
    PAMQPException,
    aiormq.exceptions.ChannelPreconditionFailed,
)


class _RabbitDelivery:
    def __init__(self, message: AbstractIncomingMessage, transport: RabbitTransport, queue: str) -> None:
        self._message, self._transport, self._queue = message, transport, queue

    @property
    def body(self) -> bytes:
        return self._message.body

    @property
    def message_id(self) -> str | None:
        return self._message.message_id

    @property
    def delivery_count(self) -> int:
        count = (self._message.headers or {}).get("x-delivery-count", 0)
        return int(count) if isinstance(count, int | str) else 0

    async def ack(self) -> None:
        await self._message.ack()

    async def retry(self) -> None:
        await self._message.nack(requeue=True)

    async def dead_letter(self, reason: str) -> None:
        # Publish a copy with the reason to the DLQ (confirmed), then ack the original: a crash in
        # between leaves the original to be redelivered, never lost.
        headers = {**(self._message.headers or {}), "x-dead-letter-reason": reason[:1000]}
        await self._transport.publish_to_queue(
            f"{self._queue}.dlq",
            aio_pika.Message(
                self._message.body,
                headers=headers,
                message_id=self._message.message_id,
                correlation_id=self._message.correlation_id,
                type=self._message.type,
                content_type=self._message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
        )
        await self._message.ack()


class _RabbitConsumption:
    def __init__(self, channel: AbstractRobustChannel, queue: aio_pika.abc.AbstractQueue, tag: str) -> None:
        self._channel, self._queue, self._tag = channel, queue, tag

    async def cancel(self) -> None:
        if not self._channel.is_closed:
            await self._queue.cancel(self._tag)


class RabbitTransport:
    def __init__(
        self, url: str, *, connection_name: str, publish_timeout: float = 30.0, connect_timeout: float = 60.0
    ) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._connection_name = connection_name
        self._publish_timeout = publish_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractRobustExchange] = {}
        self._channels: list[AbstractRobustChannel] = []

    async def connect(self) -> None:
        """Connect, waiting for a broker that is still starting (bounded by connect_timeout)."""
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(self._connect_timeout),
            wait=wait_exponential(multiplier=0.2, max=5),
            retry=retry_if_exception_type((ConnectionError, OSError, aiormq.exceptions.AMQPConnectionError)),
            reraise=True,
        ):
            with attempt:
                self._connection = await aio_pika.connect_robust(
                    self._url,
                    client_properties={"connection_name": self._connection_name},
                    heartbeat=15,
                    timeout=10,
                )
        assert self._connection is not None
        self._publish_channel = await self._connection.channel(publisher_confirms=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection, self._publish_channel = None, None
        self._exchanges.clear()
        self._channels.clear()

    def is_connected(self) -> bool:
        """Connected, with a publishing channel open (it reopens a moment after the connection does)."""
        return (
            self._connection is not None
            and not self._connection.is_closed
            and self._connection.connected.is_set()
            and self._publish_channel is not None
            and not self._publish_channel.is_closed
        )

    def _channel(self) -> AbstractRobustChannel:
        if self._publish_channel is None:
            raise PublishError("transport is not connected")
        return self._publish_channel

    async def declare(self, topology: Topology) -> None:
        channel = self._channel()
        for name in topology.exchanges:
            exchange = await channel.declare_exchange(
                topology.name(name), aio_pika.ExchangeType.TOPIC, durable=True
            )
            self._exchanges[topology.name(name)] = exchange
        for spec in topology.queues:
            await channel.declare_queue(
                topology.name(spec.dead_letter_queue), durable=True, arguments=DLQ_ARGUMENTS
            )
            queue = await channel.declare_queue(
                topology.name(spec.name), durable=True, arguments=queue_arguments(spec, topology)
            )
            for binding in spec.bindings:
                await queue.bind(topology.name(binding.exchange), routing_key=binding.routing_key)

    async def _exchange(self, name: str) -> AbstractRobustExchange:
        exchange = self._exchanges.get(name)
        if exchange is None:
            exchange = await self._channel().get_exchange(name, ensure=True)  # type: ignore[assignment]
            self._exchanges[name] = exchange  # type: ignore[assignment]
        return exchange  # type: ignore[return-value]

    async def publish(self, message: OutgoingMessage) -> None:
        try:
            exchange = await self._exchange(message.exchange)
            confirmation = await asyncio.wait_for(
                exchange.publish(
                    aio_pika.Message(
                        message.body,
                        message_id=message.message_id,
                        correlation_id=message.correlation_id,
                        type=message.type,
                        headers=dict(message.headers),
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=message.routing_key,
                    mandatory=True,
                ),
                timeout=self._publish_timeout,
            )
        except PublishError:
            raise
        except _REFUSALS as exc:
            raise MessageRefused(f"publish of {message.routing_key} refused: {exc!r}") from exc
        except Exception as exc:
            raise PublishError(f"publish of {message.routing_key} not confirmed: {exc!r}") from exc
        if not isinstance(confirmation, Basic.Ack):
            # Returned by the broker: no queue is bound for this key, so no consumer wants it.
            _log.warning("unroutable message", routing_key=message.routing_key, exchange=message.exchange)

    async def publish_to_queue(self, queue: str, message: aio_pika.Message) -> None:
        try:
            await asyncio.wait_for(
                self._channel().default_exchange.publish(message, routing_key=queue, mandatory=True),
                timeout=self._publish_timeout,
            )
        except Exception as exc:
            raise PublishError(f"publish to {queue} not confirmed: {exc!r}") from exc

    async def consume(self, queue: str, handler: DeliveryHandler, prefetch: int) -> _RabbitConsumption:
        if self._connection is None:
            raise RuntimeError("transport is not connected")
        channel = await self._connection.channel(publisher_confirms=False)
        self._channels.append(channel)
        await channel.set_qos(prefetch_count=prefetch)
        declared = await channel.get_queue(queue, ensure=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            await handler(_RabbitDelivery(message, self, queue))

        tag = await declared.consume(on_message, no_ack=False)
        return _RabbitConsumption(channel, declared, tag)
