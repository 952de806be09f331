"""The broker topology, declared in code and exported as RabbitMQ definitions.

One topic exchange per producing service; one quorum queue per consumer purpose, each with a delivery
limit and its own dead-letter queue `<queue>.dlq` (reached through the default exchange).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRODUCERS: tuple[str, ...] = ("catalog", "versions", "scheduler")


@dataclass(frozen=True)
class Binding:
    exchange: str
    routing_key: str


@dataclass(frozen=True)
class QueueSpec:
    name: str
    bindings: tuple[Binding, ...]
    delivery_limit: int = 5
    # One consumer at a time however many workers attach (the others wait as standbys): for a queue
    # whose messages must be handled in the order they were published.
    single_active_consumer: bool = False

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


@dataclass(frozen=True)
class Topology:
    exchanges: tuple[str, ...] = PRODUCERS
    queues: tuple[QueueSpec, ...] = field(default_factory=tuple)
    namespace: str = ""

    def name(self, raw: str) -> str:
        """The broker-side name of an exchange or queue in this deployment's namespace."""
        return f"{self.namespace}{raw}"

    def queue(self, raw: str) -> QueueSpec:
        for spec in self.queues:
            if spec.name == raw:
                return spec
        raise KeyError(raw)


def queue_arguments(spec: QueueSpec, topology: Topology) -> dict[str, Any]:
    ordered = {"x-single-active-consumer": True} if spec.single_active_consumer else {}
    return ordered | {
        "x-queue-type": "quorum",
        "x-delivery-limit": spec.delivery_limit,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": topology.name(spec.dead_letter_queue),
        # At-least-once dead-lettering: the broker keeps a rejected message until the DLQ confirms it.
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


DLQ_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum"}


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more words.

    One pass over the pattern keeping the set of word positions it can have reached, so the time is
    bounded by pattern words x key words whatever the pattern (trying each split for each `#`, as a
    backtracking matcher does, grows exponentially with the `#`s: a user's pattern held a core for hours)."""
    words = routing_key.split(".")
    reached = {0}  # how many words of the key the pattern so far can have consumed
    for part in pattern.split("."):
        if part == "#":
            reached = set(range(min(reached), len(words) + 1))
        else:
            reached = {n + 1 for n in reached if n < len(words) and part in ("*", words[n])}
        if not reached:
            return False
    return len(words) in reached


def rabbitmq_definitions(topology: Topology, vhost: str = "/") -> dict[str, Any]:
    """The topology as a RabbitMQ definitions document (for `load_definitions` or the management API)."""
    exchanges = [
        {
            "name": topology.name(name),
            "vhost": vhost,
            "type": "topic",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
        for name in topology.exchanges
    ]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for spec in topology.queues:
        queues.append(_queue_definition(topology.name(spec.name), vhost, queue_arguments(spec, topology)))
        queues.append(_queue_definition(topology.name(spec.dead_letter_queue), vhost, DLQ_ARGUMENTS))
        bindings.extend(
            {
                "source": topology.name(binding.exchange),
                "vhost": vhost,
                "destination": topology.name(spec.name),
                "destination_type": "queue",
                "routing_key": binding.routing_key,
                "arguments": {},
            }
            for binding in spec.bindings
        )
    policies = [
        {
            "vhost": vhost,
            "name": "stalker-quorum-limits",
            "pattern": r"^" + topology.name("") + r".*(?<!\.dlq)$",
            "apply-to": "queues",
            "priority": 0,
            "definition": {"delivery-limit": max((q.delivery_limit for q in topology.queues), default=5)},
        }
    ]
    return {"exchanges": exchanges, "queues": queues, "bindings": bindings, "policies": policies}


def _queue_definition(name: str, vhost: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": arguments}
