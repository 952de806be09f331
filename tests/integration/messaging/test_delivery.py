"""Outbox, relay, consumer and inbox together, on both modes (SQLite + in-process broker, PostgreSQL +
RabbitMQ): what commits is delivered and applied once, what rolls back never leaves, bad messages are
dead-lettered (R7, R8) and duplicates have no second effect."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from stalker_shared.contracts import Envelope
from stalker_shared.correlation import correlation_scope
from stalker_shared.messaging.transport import OutgoingMessage
from stalker_shared.metrics import CONSUMER_MESSAGES
from stalker_shared.workers import ServiceWorkers

from support.brokers import eventually
from support.harness import ProbeHarness
from support.probe import MESSAGING, PROBE_QUEUE, ProbeEvent, effect_count, effects


async def publish_events(harness: ProbeHarness, *events: ProbeEvent) -> None:
    runtime = harness.runtimes[0] if harness.runtimes else await harness.runtime()
    async with runtime.unit_of_work() as uow:
        for event in events:
            await uow.publish(event)
        await uow.commit()


async def pending(harness: ProbeHarness) -> int:
    async with harness.engine.connect() as connection:
        outbox = MESSAGING.outbox
        return int(await connection.scalar(select(func.count()).where(outbox.c.published_at.is_(None))) or 0)


def raw_message(harness: ProbeHarness, body: bytes, message_id: str | None = None) -> OutgoingMessage:
    return OutgoingMessage(
        exchange=harness.broker.topology.name("catalog"),
        routing_key="catalog.probe.happened.v1",
        body=body,
        message_id=message_id or str(uuid.uuid4()),
        correlation_id="test",
        type="catalog.probe.happened",
    )


async def test_committed_message_is_delivered_and_applied_once(probe: ProbeHarness) -> None:
    runtime = await probe.runtime()
    workers = ServiceWorkers(runtime)
    await workers.start()
    with correlation_scope("corr-committed"):
        await publish_events(probe, ProbeEvent(n=1), ProbeEvent(n=2))

    async def applied() -> bool:
        return await effect_count(probe.engine) == 2

    await eventually(applied, what="both effects")
    assert sorted(await effects(probe.engine)) == [1, 2]
    assert await pending(probe) == 0
    async with probe.engine.connect() as connection:
        from support.probe import effect

        correlation_ids = set((await connection.execute(select(effect.c.correlation_id))).scalars())
    assert correlation_ids == {"corr-committed"}
    assert await workers.stop(grace=5)


async def test_rolled_back_message_is_never_published(probe: ProbeHarness) -> None:
    runtime = await probe.runtime()
    async with runtime.unit_of_work() as uow:
        await uow.publish(ProbeEvent(n=1))
        # leaving without commit: the business change and the message go together
    assert await pending(probe) == 0
    assert await runtime.relay.publish_pending() == 0
    workers = ServiceWorkers(runtime, relay=False)
    await workers.start()
    await publish_events(probe, ProbeEvent(n=2))
    assert await runtime.relay.publish_pending() == 1

    async def applied() -> bool:
        return await effect_count(probe.engine) == 1

    await eventually(applied, what="the committed message's effect")
    assert await effects(probe.engine) == [2]
    await workers.stop(grace=5)


async def test_message_delivered_twice_has_its_effect_once(probe: ProbeHarness) -> None:
    runtime = await probe.runtime()
    transport = runtime.transport
    envelope = Envelope.wrap(ProbeEvent(n=7), correlation_id="dup", causation_id=None)
    body = envelope.model_dump_json().encode()
    duplicates = CONSUMER_MESSAGES.labels("probe", PROBE_QUEUE, "duplicate")
    duplicates_before = duplicates._value.get()
    for _ in range(3):
        await transport.publish(raw_message(probe, body, str(envelope.message_id)))
    await publish_events(probe, ProbeEvent(n=8))
    await runtime.relay.publish_pending()
    workers = ServiceWorkers(runtime, relay=False)
    await workers.start()

    async def all_copies_seen() -> bool:
        return duplicates._value.get() - duplicates_before == 2 and 8 in await effects(probe.engine)

    await eventually(all_copies_seen, what="every copy and the marker message")
    await workers.stop(grace=5)
    assert sorted(await effects(probe.engine)) == [7, 8]
    assert duplicates._value.get() - duplicates_before == 2  # the copies did arrive, and did nothing


async def test_poison_message_is_dead_lettered_after_the_delivery_limit_while_others_flow(
    probe: ProbeHarness,
) -> None:
    """R7."""
    runtime = await probe.runtime()
    workers = ServiceWorkers(runtime)
    await workers.start()
    good = [ProbeEvent(n=n) for n in range(10)]
    await publish_events(probe, *good[:5], ProbeEvent(n=99, poison=True), *good[5:])

    async def all_good_applied() -> bool:
        return await effect_count(probe.engine) == 10

    await eventually(all_good_applied, what="all good messages")
    dead = await probe.broker.dead_letters(PROBE_QUEUE, expected=1)
    await workers.stop(grace=5)
    assert sorted(await effects(probe.engine)) == list(range(10))
    assert len(dead) == 1
    assert Envelope.model_validate_json(dead[0].body).payload["n"] == 99


async def test_invalid_and_unknown_messages_are_dead_lettered_at_once_with_the_reason(
    probe: ProbeHarness,
) -> None:
    """R8: no retry loop; the reason travels with the dead letter."""
    runtime = await probe.runtime()
    unknown = Envelope(
        type="catalog.probe.happened", version=9, correlation_id="c", producer="catalog", payload={}
    )
    bad_payload = Envelope(
        type="catalog.probe.happened", version=1, correlation_id="c", producer="catalog", payload={"n": "x"}
    )
    for body in (b"not json", unknown.model_dump_json().encode(), bad_payload.model_dump_json().encode()):
        await runtime.transport.publish(raw_message(probe, body))
    await publish_events(probe, ProbeEvent(n=1, refuse=True), ProbeEvent(n=2))
    workers = ServiceWorkers(runtime)
    await workers.start()
    dead = await probe.broker.dead_letters(PROBE_QUEUE, expected=4)

    async def good_applied() -> bool:
        return await effect_count(probe.engine) == 1

    await eventually(good_applied, what="the good message")
    await workers.stop(grace=5)
    reasons = sorted(str(d.headers["x-dead-letter-reason"]) for d in dead)
    assert len(reasons) == 4
    assert any("malformed envelope" in r for r in reasons)
    assert any("unknown message type or version: catalog.probe.happened.v9" in r for r in reasons)
    assert any("invalid catalog.probe.happened.v1 payload: n" in r for r in reasons)
    assert any("contradicts this service's state" in r for r in reasons)
    # Dead-lettered on the first delivery: the broker had never redelivered any of them.
    assert all(int(str(d.headers.get("x-delivery-count", 0))) == 0 for d in dead)
    assert await effects(probe.engine) == [2]
