"""The two transports under one test interface, so each messaging test is written once and runs on
the in-process broker and on RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika

from stalker_shared.messaging import InMemoryBroker, InMemoryTransport, RabbitTransport, Transport
from stalker_shared.messaging.topology import Topology
from stalker_shared.messaging.transport import OutgoingMessage


@dataclass
class DeadLetter:
    body: bytes
    headers: dict[str, object]


@dataclass
class BrokerUnderTest:
    kind: str
    topology: Topology
    url: str | None = None
    memory: InMemoryBroker = field(default_factory=InMemoryBroker)
    _transports: list[Transport] = field(default_factory=list)

    def transport(self, url: str | None = None) -> Transport:
        transport: Transport
        if self.kind == "memory":
            transport = InMemoryTransport(self.memory)
        else:
            transport = RabbitTransport(url or self.url or "", connection_name="tests", publish_timeout=10)
        self._transports.append(transport)
        return transport

    async def dead_letters(self, queue: str, expected: int, timeout: float = 20.0) -> list[DeadLetter]:
        """Wait until `expected` messages sit in the queue's DLQ and take them."""
        name = self.topology.name(f"{queue}.dlq")
        taken: list[DeadLetter] = []
        deadline = time.monotonic() + timeout
        while len(taken) < expected and time.monotonic() < deadline:
            taken.extend(await self._take(name))
            if len(taken) < expected:
                await asyncio.sleep(0.1)
        return taken

    async def _take(self, name: str) -> list[DeadLetter]:
        if self.kind == "memory":
            return [DeadLetter(m.body, dict(m.headers)) for m in self.memory.drain(name)]
        connection = await aio_pika.connect(self.url)
        try:
            channel = await connection.channel()
            queue = await channel.get_queue(name, ensure=True)
            taken = []
            while (message := await queue.get(fail=False, no_ack=True)) is not None:
                taken.append(DeadLetter(message.body, dict(message.headers or {})))
            return taken
        finally:
            await connection.close()

    async def cleanup(self) -> None:
        for transport in self._transports:
            with contextlib.suppress(Exception):  # already closed by the test
                await transport.close()
        if self.kind != "rabbitmq":
            return
        connection = await aio_pika.connect(self.url)
        try:
            channel = await connection.channel()
            for spec in self.topology.queues:
                for name in (spec.name, spec.dead_letter_queue):
                    await channel.queue_delete(self.topology.name(name))
            for exchange in self.topology.exchanges:
                await channel.exchange_delete(self.topology.name(exchange))
        finally:
            await connection.close()


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 20.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class PublishHistory:
    """What a publisher tried and what the broker confirmed, by message id (the reliability tests'
    history: attempted, confirmed, refused or failed)."""

    attempted: list[str] = field(default_factory=list)
    confirmed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)  # not confirmed at least once (broker away or refused)


class RecordingTransport:
    """Wraps a transport and records every publish in a PublishHistory."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.history = PublishHistory()

    async def publish(self, message: OutgoingMessage) -> None:
        self.history.attempted.append(message.message_id)
        try:
            await self.inner.publish(message)
        except Exception:
            self.history.failed.add(message.message_id)
            raise
        self.history.confirmed.add(message.message_id)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)
