"""Messaging: topology, the transport interface and its two implementations, and the consumer runner."""

from stalker_shared.messaging.memory import InMemoryBroker, InMemoryTransport
from stalker_shared.messaging.rabbit import RabbitTransport
from stalker_shared.messaging.topology import (
    Binding,
    QueueSpec,
    Topology,
    rabbitmq_definitions,
    topic_matches,
)
from stalker_shared.messaging.transport import (
    Delivery,
    MessageRefused,
    OutgoingMessage,
    PublishError,
    Transport,
)

__all__ = [
    "Binding",
    "Delivery",
    "InMemoryBroker",
    "InMemoryTransport",
    "MessageRefused",
    "OutgoingMessage",
    "PublishError",
    "QueueSpec",
    "RabbitTransport",
    "Topology",
    "Transport",
    "rabbitmq_definitions",
    "topic_matches",
]
