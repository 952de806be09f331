"""Topic matching, the queue arguments every quorum queue gets, and the committed broker definitions."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import pytest

from stalker_shared.messaging import rabbitmq_definitions, topic_matches
from stalker_shared.messaging.queues import stalker_topology
from stalker_shared.messaging.topology import queue_arguments

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("catalog.project.*.v1", "catalog.project.created.v1", True),
        ("catalog.project.*.v1", "catalog.project.created.v2", False),
        ("catalog.project.*.v1", "catalog.task.created.v1", False),
        ("catalog.#", "catalog.project.created.v1", True),
        ("catalog.#", "catalog", True),
        ("#.v1", "scheduler.schedule.completed.v1", True),
        ("*.schedule.*.v1", "scheduler.schedule.failed.v1", True),
        ("*.schedule.*.v1", "scheduler.schedule.v1", False),
        ("a.#.z", "a.b.c.z", True),
        ("a.#.z", "a.b.c", False),
    ],
)
def test_topic_matching_follows_amqp_rules(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


def _backtracking(pattern: list[str], words: list[str]) -> bool:
    """The rules as written: `#` tries every split (exponential in the `#`s; small inputs only)."""
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_backtracking(rest, words[i:]) for i in range(len(words) + 1))
    return bool(words) and head in ("*", words[0]) and _backtracking(rest, words[1:])


def test_topic_matching_agrees_with_the_rules_on_every_small_pattern() -> None:
    parts, keys = ("#", "*", "a", "b"), ("a", "b", "a.b", "b.a.b", "a.a.b.b", "a.b.a.b.a")
    for size in range(1, 5):
        for pattern in itertools.product(parts, repeat=size):
            for key in keys:
                expected = _backtracking(list(pattern), key.split("."))
                assert topic_matches(".".join(pattern), key) is expected, (pattern, key)


def test_a_pattern_of_many_hashes_is_matched_at_once() -> None:
    """100 `#`s in the 200 characters a pattern may have: a backtracking matcher ran for hours on it."""
    matched: list[bool] = []
    worker = threading.Thread(
        target=lambda: matched.append(topic_matches(".".join(["#"] * 100) + ".x", "catalog.task.updated")),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=10)
    assert matched == [False]


def test_every_queue_is_quorum_with_a_delivery_limit_and_its_own_dead_letter_queue() -> None:
    topology = stalker_topology(namespace="ns.", delivery_limit=4)
    assert topology.queues
    for spec in topology.queues:
        arguments = queue_arguments(spec, topology)
        assert arguments["x-queue-type"] == "quorum"
        assert arguments["x-delivery-limit"] == 4
        assert arguments["x-dead-letter-exchange"] == ""
        assert arguments["x-dead-letter-routing-key"] == f"ns.{spec.name}.dlq"


def test_queue_names_follow_the_house_convention() -> None:
    for spec in stalker_topology().queues:
        consumer, purpose = spec.name.split(".")
        assert consumer in ("catalog", "versions", "scheduler", "events") and purpose
        for binding in spec.bindings:
            assert binding.exchange in ("catalog", "versions", "scheduler")
            # A key names its producer, or takes all it publishes (the event log's `#`).
            assert binding.routing_key.split(".")[0] in (binding.exchange, "#")


def test_committed_rabbitmq_definitions_match_the_topology_in_code() -> None:
    committed = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    assert committed == rabbitmq_definitions(stalker_topology()), "run `make definitions`"
    queue_names = {q["name"] for q in committed["queues"]}
    for spec in stalker_topology().queues:
        assert {spec.name, spec.dead_letter_queue} <= queue_names
