"""Prometheus metrics. Defined once per process and labelled by service, so the embedded mode
(three services in one process) shares them without double registration."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

OUTBOX_BACKLOG = Gauge(
    "stalker_outbox_backlog",
    "Outbox messages written but not yet confirmed by the broker (parked ones left out)",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "stalker_outbox_published_total", "Outbox messages published with a broker confirm", ["service"]
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "stalker_outbox_publish_failures_total", "Relay batches that failed to publish", ["service"]
)
OUTBOX_REFUSED = Counter(
    "stalker_outbox_refused_total",
    "Publish attempts the broker refused for the message itself (not for a lost connection)",
    ["service"],
)
OUTBOX_PARKED = Gauge(
    "stalker_outbox_parked",
    "Outbox messages parked after being refused too often: not published until an admin requeues them",
    ["service"],
)
CONSUMER_MESSAGES = Counter(
    "stalker_consumer_messages_total",
    "Messages handled by consumers, by outcome (processed, duplicate, retried, dead_lettered, invalid)",
    ["service", "consumer", "outcome"],
)
HTTP_REQUESTS = Counter(
    "stalker_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "stalker_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)

__all__ = [
    "CONSUMER_MESSAGES",
    "CONTENT_TYPE_LATEST",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "OUTBOX_BACKLOG",
    "OUTBOX_PARKED",
    "OUTBOX_PUBLISHED",
    "OUTBOX_PUBLISH_FAILURES",
    "OUTBOX_REFUSED",
    "generate_latest",
]
