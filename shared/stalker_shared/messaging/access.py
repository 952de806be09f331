"""Least-privilege broker users, derived from the topology: one RabbitMQ user per service, allowed to publish
to its own exchange and to consume its own queues, and nothing else.

Exported by `stalker-host definitions --users` as deploy/rabbitmq/users.json (checked by a test) and
loaded by deploy/rabbitmq/provision.py. The permissions assume the topology is loaded beforehand and the
services run with `declare_topology` off: they need no `configure` permission at all.
"""

from __future__ import annotations

import re
from typing import Any

from stalker_shared.messaging.topology import PRODUCERS, Topology

# Publishing through the default exchange (a dead-lettered copy goes straight to `<queue>.dlq`) is checked
# by RabbitMQ as a write on this name.
DEFAULT_EXCHANGE = "amq.default"
# RabbitMQ reads the empty pattern as "matches nothing".
NOTHING = ""


def broker_user(service: str, namespace: str = "") -> str:
    return f"{namespace}stalker-{service}"


def password_variable(service: str) -> str:
    """The environment variable the provisioner reads this service's broker password from."""
    return f"STALKER_{service.upper()}_AMQP_PASSWORD"


def consumed_queues(topology: Topology, service: str) -> list[str]:
    """Queues are named `<consumer>.<purpose>`: the ones a service consumes start with its name."""
    return [topology.name(q.name) for q in topology.queues if q.name.split(".", 1)[0] == service]


def _literal(name: str) -> str:
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", name)


def _exactly(names: list[str]) -> str:
    if not names:
        return NOTHING
    return "^(" + "|".join(_literal(name) for name in names) + ")$"


def service_permissions(topology: Topology, service: str) -> dict[str, str]:
    """configure / write / read patterns for one service's broker user."""
    queues = consumed_queues(topology, service)
    writes = [topology.name(service)] if service in topology.exchanges else []
    if queues:
        writes.append(DEFAULT_EXCHANGE)  # dead-lettering publishes a copy with the reason, then acks
    return {"configure": NOTHING, "write": _exactly(writes), "read": _exactly(queues)}


def broker_services(topology: Topology) -> tuple[str, ...]:
    """Every service that publishes or consumes: the producers, then the consumers that only consume."""
    consumers = (q.name.split(".", 1)[0] for q in topology.queues)
    return tuple(dict.fromkeys((*PRODUCERS, *consumers)))


def rabbitmq_users(
    topology: Topology, vhost: str = "/", services: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Users (without passwords: each names the variable that holds it) and their permissions."""
    services = broker_services(topology) if services is None else services
    users = [
        {
            "name": broker_user(service, topology.namespace),
            "tags": "",
            "password_variable": password_variable(service),
        }
        for service in services
    ]
    permissions = [
        {"user": broker_user(service, topology.namespace), "vhost": vhost}
        | service_permissions(topology, service)
        for service in services
    ]
    return {"users": users, "permissions": permissions}
