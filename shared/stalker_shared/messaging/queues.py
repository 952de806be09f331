"""Every consumer queue of the system, in one place: the services' wiring and the broker definitions
(deploy/rabbitmq/definitions.json) are both built from it."""

from __future__ import annotations

from stalker_shared.messaging.topology import PRODUCERS, Binding, QueueSpec, Topology

VERSIONS_CATALOG_EVENTS = "versions.catalog-events"
SCHEDULER_REQUESTS = "scheduler.schedule-requests"
CATALOG_SCHEDULE_RESULTS = "catalog.schedule-results"
CATALOG_VERSION_EVENTS = "catalog.version-events"
EVENTS_LOG = "events.log"


def stalker_topology(namespace: str = "", delivery_limit: int = 5) -> Topology:
    return Topology(
        namespace=namespace,
        queues=(
            QueueSpec(
                VERSIONS_CATALOG_EVENTS,
                (
                    Binding("catalog", "catalog.project.*.v1"),
                    Binding("catalog", "catalog.task.*.v1"),
                    Binding("catalog", "catalog.user.*.v1"),  # token checks: admin, active, version
                ),
                delivery_limit,
            ),
            QueueSpec(
                SCHEDULER_REQUESTS, (Binding("catalog", "catalog.schedule.requested.v1"),), delivery_limit
            ),
            QueueSpec(
                CATALOG_SCHEDULE_RESULTS, (Binding("scheduler", "scheduler.schedule.*.v1"),), delivery_limit
            ),
            QueueSpec(  # the catalog's mirror of versions, for notes on them
                CATALOG_VERSION_EVENTS, (Binding("versions", "versions.version.*.v1"),), delivery_limit
            ),
            # Every message of every producer, `#` rather than `*.*.*.v1`: a new contract or a v2 reaches
            # the log, which records it or dead-letters it as unknown, never drops it unseen.
            # One consumer at a time, so the log keeps each producer's publishing order.
            QueueSpec(
                EVENTS_LOG,
                tuple(Binding(p, "#") for p in PRODUCERS),
                delivery_limit,
                single_active_consumer=True,
            ),
        ),
    )
