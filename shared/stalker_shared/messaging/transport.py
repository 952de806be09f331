"""The publish/consume interface that both RabbitMQ and the in-process transport implement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from stalker_shared.messaging.topology import Topology


@dataclass(frozen=True)
class OutgoingMessage:
    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    correlation_id: str
    type: str
    headers: dict[str, str] = field(default_factory=dict)


class PublishError(Exception):
    """The broker did not confirm a message (nack, lost connection, timeout): try again later."""


class MessageRefused(PublishError):
    """This one message cannot be published as it is (a property beyond AMQP's limits, a size the broker
    refuses): sending it again fails again, while other messages go through."""


# AMQP short strings (message id, correlation id, type, exchange, routing key) hold at most 255 bytes.
SHORT_STRING_BYTES = 255


def check_short_strings(message: OutgoingMessage) -> None:
    """Refuse a message whose AMQP short-string fields do not fit, as RabbitMQ's client does."""
    fields = ("exchange", "routing_key", "message_id", "correlation_id", "type")
    for name in fields:
        if len(getattr(message, name).encode()) > SHORT_STRING_BYTES:
            raise MessageRefused(f"{name} exceeds AMQP's limit of {SHORT_STRING_BYTES} bytes")


class Delivery(Protocol):
    """One delivery of a message to a consumer. Exactly one of the settle methods must be called."""

    @property
    def body(self) -> bytes: ...

    @property
    def message_id(self) -> str | None: ...

    @property
    def delivery_count(self) -> int:
        """How many times the broker delivered this message before (0 on the first delivery)."""
        ...

    async def ack(self) -> None: ...

    async def retry(self) -> None:
        """Return the message to its queue; the broker dead-letters it past the delivery limit."""
        ...

    async def dead_letter(self, reason: str) -> None:
        """Move the message to its queue's dead-letter queue at once, with the reason in a header."""
        ...


DeliveryHandler = Callable[[Delivery], Awaitable[None]]


class Consumption(Protocol):
    async def cancel(self) -> None:
        """Stop taking new deliveries; in-flight ones finish on their own."""
        ...


class Transport(Protocol):
    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def declare(self, topology: Topology) -> None: ...

    async def publish(self, message: OutgoingMessage) -> None:
        """Publish a persistent message and return once the broker confirmed it, or raise PublishError."""
        ...

    async def consume(self, queue: str, handler: DeliveryHandler, prefetch: int) -> Consumption: ...

    def is_connected(self) -> bool: ...
