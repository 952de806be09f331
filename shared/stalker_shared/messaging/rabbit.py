"""RabbitMQ transport on aio-pika: robust connections, publisher confirms, persistent messages,
quorum queues with delivery limits and dead-letter queues, manual acknowledgements."""

from __future__ import annotations

import asyncio
import contextlib
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
    """One queue consumed on a channel of its own; `restore` starts it again on a new channel."""

    def __init__(self, queue: str, handler: DeliveryHandler, prefetch: int) -> None:
        self.queue, self._handler, self._prefetch = queue, handler, prefetch
        self.channel: AbstractRobustChannel | None = None
        self._declared: aio_pika.abc.AbstractQueue | None = None
        self._tag = ""
        self.cancelled = False
        self.seen_stranded = False  # closed on a live connection at the last check

    async def start(self, connection: AbstractRobustConnection, transport: RabbitTransport) -> None:
        channel = await connection.channel(publisher_confirms=False)
        await channel.set_qos(prefetch_count=self._prefetch)
        declared = await channel.get_queue(self.queue, ensure=True)

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._handler(_RabbitDelivery(message, transport, self.queue))

        self._tag = await declared.consume(on_message, no_ack=False)
        self.channel, self._declared = channel, declared

    async def cancel(self) -> None:
        self.cancelled = True
        if self.channel is not None and not self.channel.is_closed and self._declared is not None:
            await self._declared.cancel(self._tag)


class RabbitTransport:
    def __init__(
        self,
        url: str,
        *,
        connection_name: str,
        publish_timeout: float = 30.0,
        connect_timeout: float = 60.0,
        channel_check_seconds: float = 5.0,
    ) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._connection_name = connection_name
        self._publish_timeout = publish_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractRobustExchange] = {}
        self._consumptions: list[_RabbitConsumption] = []
        self._channel_check_seconds = channel_check_seconds
        self._watchdog: asyncio.Task[None] | None = None

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
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        if self._connection is not None:
            await self._connection.close()
        self._connection, self._publish_channel = None, None
        self._exchanges.clear()
        self._consumptions.clear()

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
            # The exchange's lookup is bounded too: on a channel aio-pika failed to restore it would wait
            # for the channel's readiness for ever.
            confirmation = await asyncio.wait_for(self._publish(message), timeout=self._publish_timeout)
        except PublishError:
            raise
        except _REFUSALS as exc:
            raise MessageRefused(f"publish of {message.routing_key} refused: {exc!r}") from exc
        except Exception as exc:
            await self._reopen_if_stranded()
            raise PublishError(f"publish of {message.routing_key} not confirmed: {exc!r}") from exc
        if not isinstance(confirmation, Basic.Ack):
            # Returned by the broker: no queue is bound for this key, so no consumer wants it.
            _log.warning("unroutable message", routing_key=message.routing_key, exchange=message.exchange)

    async def _publish(self, message: OutgoingMessage) -> object:
        exchange = await self._exchange(message.exchange)
        return await exchange.publish(
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
        )

    async def _reopen_if_stranded(self) -> None:
        """A publishing channel left closed while its connection is up gets replaced. aio-pika reopens a
        robust channel when the connection comes back, but a drop during that reopening leaves it closed
        for good (mosquito/aio-pika#668): every later publish would fail on it (seen once in R6's test)."""
        channel, connection = self._publish_channel, self._connection
        if channel is None or connection is None or not channel.is_closed:
            return
        if connection.is_closed or not connection.connected.is_set():
            return  # reconnecting: aio-pika restores the channel once it is back
        with contextlib.suppress(Exception):
            await channel.close()
        self._exchanges.clear()
        try:
            self._publish_channel = await asyncio.wait_for(
                connection.channel(publisher_confirms=True), timeout=self._publish_timeout
            )
        except Exception as exc:  # the next failed publish tries again
            _log.warning("publishing channel not reopened", error=repr(exc)[:300])
        else:
            _log.warning("publishing channel reopened after aio-pika left it closed")

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
        consumption = _RabbitConsumption(queue, handler, prefetch)
        await consumption.start(self._connection, self)
        self._consumptions.append(consumption)
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(self._watch_consumptions())
        return consumption

    async def _watch_consumptions(self) -> None:
        """A consuming channel left closed on a live connection (the same aio-pika#668 as publishing,
        which would stop the queue's consumption for good, silently) is started again on a new channel.
        Seen closed at two checks in a row with the connection up throughout, so a channel aio-pika is
        about to restore after a reconnection is left to it."""
        while True:
            await asyncio.sleep(self._channel_check_seconds)
            connection = self._connection
            live = connection is not None and not connection.is_closed and connection.connected.is_set()
            for consumption in list(self._consumptions):
                channel = consumption.channel
                stranded = live and not consumption.cancelled and channel is not None and channel.is_closed
                if not stranded:
                    consumption.seen_stranded = False
                    continue
                if not consumption.seen_stranded:
                    consumption.seen_stranded = True
                    continue
                await self._restart(consumption)

    async def _restart(self, consumption: _RabbitConsumption) -> None:
        assert self._connection is not None and consumption.channel is not None
        with contextlib.suppress(Exception):
            await consumption.channel.close()  # so that aio-pika does not restore it as well
        try:
            await asyncio.wait_for(consumption.start(self._connection, self), timeout=self._publish_timeout)
        except Exception as exc:  # the next check tries again
            _log.warning("consuming channel not reopened", queue=consumption.queue, error=repr(exc)[:300])
        else:
            consumption.seen_stranded = False
            _log.warning("consuming channel reopened after aio-pika left it closed", queue=consumption.queue)
