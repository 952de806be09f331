"""An in-process broker with RabbitMQ's delivery semantics, for the embedded mode and fast tests.

It keeps what the services rely on: topic routing, per-queue delivery limits with dead-letter queues,
redelivery of unacknowledged messages, and bounded prefetch. It keeps nothing across restarts, which is
acceptable for one process whose producers keep their messages in a durable outbox until confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from stalker_shared.logging import get_logger
from stalker_shared.messaging.topology import Topology, topic_matches
from stalker_shared.messaging.transport import (
    DeliveryHandler,
    OutgoingMessage,
    PublishError,
    check_short_strings,
)

_log = get_logger(__name__)


@dataclass
class StoredMessage:
    body: bytes
    message_id: str
    headers: dict[str, str]
    delivery_count: int = 0


@dataclass
class _Queue:
    name: str
    delivery_limit: int | None
    dead_letter_queue: str | None
    messages: asyncio.Queue[StoredMessage] = field(default_factory=asyncio.Queue)


class InMemoryBroker:
    """Shared by every transport of one process, like a broker shared by services."""

    def __init__(self) -> None:
        self._exchanges: set[str] = set()
        self._bindings: list[tuple[str, str, str]] = []
        self._queues: dict[str, _Queue] = {}

    def declare(self, topology: Topology) -> None:
        self._exchanges.update(topology.name(e) for e in topology.exchanges)
        for spec in topology.queues:
            dlq = topology.name(spec.dead_letter_queue)
            self._queues.setdefault(dlq, _Queue(dlq, None, None))
            name = topology.name(spec.name)
            self._queues.setdefault(name, _Queue(name, spec.delivery_limit, dlq))
            for binding in spec.bindings:
                entry = (topology.name(binding.exchange), binding.routing_key, name)
                if entry not in self._bindings:
                    self._bindings.append(entry)

    def route(self, message: OutgoingMessage) -> None:
        if message.exchange not in self._exchanges:
            raise PublishError(f"no exchange {message.exchange!r}")
        targets = {
            q
            for (ex, key, q) in self._bindings
            if ex == message.exchange and topic_matches(key, message.routing_key)
        }
        for name in targets:
            self.enqueue(name, StoredMessage(message.body, message.message_id, dict(message.headers)))

    def enqueue(self, queue: str, message: StoredMessage) -> None:
        self.queue(queue).messages.put_nowait(message)

    def queue(self, name: str) -> _Queue:
        try:
            return self._queues[name]
        except KeyError:
            raise PublishError(f"no queue {name!r}") from None

    def depth(self, name: str) -> int:
        return self.queue(name).messages.qsize()

    def drain(self, name: str) -> list[StoredMessage]:
        """Take every message waiting in a queue (for inspecting dead-letter queues)."""
        queue = self.queue(name).messages
        taken = []
        while not queue.empty():
            taken.append(queue.get_nowait())
        return taken


class _MemoryDelivery:
    def __init__(self, broker: InMemoryBroker, queue: _Queue, message: StoredMessage) -> None:
        self._broker, self._queue, self._message = broker, queue, message
        self.settled = False

    @property
    def body(self) -> bytes:
        return self._message.body

    @property
    def message_id(self) -> str | None:
        return self._message.message_id

    @property
    def delivery_count(self) -> int:
        return self._message.delivery_count

    async def ack(self) -> None:
        self.settled = True

    async def retry(self) -> None:
        self.requeue()

    def requeue(self) -> None:
        """Back to the queue, counted as a delivery; past the limit, to the dead-letter queue."""
        self.settled = True
        self._message.delivery_count += 1
        limit = self._queue.delivery_limit
        if limit is not None and self._message.delivery_count > limit and self._queue.dead_letter_queue:
            self._message.headers["x-dead-letter-reason"] = "delivery_limit"
            self._broker.enqueue(self._queue.dead_letter_queue, self._message)
        else:
            self._queue.messages.put_nowait(self._message)

    async def dead_letter(self, reason: str) -> None:
        self.settled = True
        if self._queue.dead_letter_queue:
            self._message.headers["x-dead-letter-reason"] = reason
            self._broker.enqueue(self._queue.dead_letter_queue, self._message)


class _MemoryConsumption:
    """Like a RabbitMQ consumer: `prefetch` messages at a time; a message the handler leaves unsettled
    stays held (unacknowledged) until the transport closes, then goes back to its queue.

    Several consumptions of one queue share it: each free slot waits in line (asyncio.Queue serves waiters
    first come, first served), so with prefetch 1 a message goes to a consumer that holds none, as RabbitMQ
    does. With a larger prefetch, a burst fills the first consumer's free slots before the next one's,
    where RabbitMQ would deal it out in turn; nothing relies on that order."""

    def __init__(
        self, broker: InMemoryBroker, queue: _Queue, handler: DeliveryHandler, prefetch: int
    ) -> None:
        self._broker, self._queue, self._handler = broker, queue, handler
        self._stopping = asyncio.Event()
        self._held: set[_MemoryDelivery] = set()
        self._tasks = [asyncio.create_task(self._work()) for _ in range(prefetch)]

    async def _work(self) -> None:
        while not self._stopping.is_set():
            message = await self._next()
            if message is None:
                return
            delivery = _MemoryDelivery(self._broker, self._queue, message)
            self._held.add(delivery)
            try:
                await self._handler(delivery)
            except Exception:
                _log.exception("consumer handler failed", queue=self._queue.name)
                if not delivery.settled:
                    delivery.requeue()
            if delivery.settled:
                self._held.discard(delivery)

    async def _next(self) -> StoredMessage | None:
        getter = asyncio.ensure_future(self._queue.messages.get())
        stopper = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait((getter, stopper), return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not getter.done():
            getter.cancel()
            return None
        if self._stopping.is_set():
            self._queue.messages.put_nowait(getter.result())  # stopped meanwhile: give it back untouched
            return None
        return getter.result()

    async def cancel(self) -> None:
        """Stop taking new messages; in-flight ones finish on their own."""
        self._stopping.set()

    async def kill(self) -> None:
        """The connection is gone: stop at once and return every unsettled message to its queue."""
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for delivery in self._held:
            if not delivery.settled:
                delivery.requeue()
        self._held.clear()


class InMemoryTransport:
    def __init__(self, broker: InMemoryBroker) -> None:
        self.broker = broker
        self._connected = False
        self._consumptions: list[_MemoryConsumption] = []

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        self._connected = False
        for consumption in self._consumptions:
            await consumption.kill()
        self._consumptions.clear()

    def is_connected(self) -> bool:
        return self._connected

    async def declare(self, topology: Topology) -> None:
        self.broker.declare(topology)

    async def publish(self, message: OutgoingMessage) -> None:
        if not self._connected:
            raise PublishError("transport is closed")
        check_short_strings(message)  # what RabbitMQ would refuse is refused here too
        self.broker.route(message)

    async def consume(self, queue: str, handler: DeliveryHandler, prefetch: int) -> _MemoryConsumption:
        consumption = _MemoryConsumption(self.broker, self.broker.queue(queue), handler, prefetch)
        self._consumptions.append(consumption)
        return consumption
