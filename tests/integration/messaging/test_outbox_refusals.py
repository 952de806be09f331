"""The relay can never be blocked by one message, on both modes: a message the broker refuses (here a
correlation id beyond AMQP's 255-byte short-string limit, as an older producer might have written) is
isolated from its batch, its attempts are counted and survive, it is parked at the limit and left out of
the backlog; an admin sees it and can requeue it. readyz reports a relay that keeps failing."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import select, update

from stalker_shared.http import create_health_app
from stalker_shared.messaging.transport import OutgoingMessage, PublishError
from stalker_shared.metrics import OUTBOX_PARKED
from stalker_shared.outbox_status import parked_messages, requeue_parked
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

from support.brokers import eventually
from support.harness import ProbeHarness
from support.probe import MESSAGING, ProbeEvent, effects, probe_definition

OUTBOX = MESSAGING.outbox
TOO_LONG = "é" * 200  # 400 bytes in UTF-8


async def write_events(runtime: Runtime, *numbers: int) -> list[uuid.UUID]:
    async with runtime.unit_of_work() as uow:
        envelopes = [await uow.publish(ProbeEvent(n=n)) for n in numbers]
        await uow.commit()
    return [e.message_id for e in envelopes]


async def spoil(runtime: Runtime, message_id: uuid.UUID) -> None:
    """Give an outbox row a correlation id the broker cannot carry (the edge no longer lets one in)."""
    async with runtime.sessionmaker() as session, session.begin():
        await session.execute(
            update(OUTBOX).where(OUTBOX.c.message_id == message_id).values(correlation_id=TOO_LONG)
        )


async def row(runtime: Runtime, message_id: uuid.UUID) -> dict[str, object]:
    async with runtime.sessionmaker() as session:
        found = (await session.execute(select(OUTBOX).where(OUTBOX.c.message_id == message_id))).one()
    return found._asdict()


async def test_a_refused_message_is_isolated_counted_and_parked(probe: ProbeHarness) -> None:
    runtime = await probe.runtime()
    first, bad, last = await write_events(runtime, 1, 2, 3)
    await spoil(runtime, bad)

    assert await runtime.relay.publish_pending() == 2  # the rest of the batch goes out
    refused = await row(runtime, bad)
    assert refused["publish_attempts"] == 1 and refused["parked_at"] is None
    assert "255" in str(refused["last_error"])
    assert (await row(runtime, first))["published_at"] is not None
    assert (await row(runtime, last))["published_at"] is not None

    for _ in range(4):  # the default limit is 5 attempts
        assert await runtime.relay.publish_pending() == 0
    parked = await row(runtime, bad)
    assert parked["publish_attempts"] == 5 and parked["parked_at"] is not None
    assert str(parked["parked_reason"]).startswith("refused by the broker 5 times")
    assert await runtime.relay.publish_pending() == 0  # never retried on its own
    assert (await row(runtime, bad))["publish_attempts"] == 5
    assert await runtime.relay.backlog() == 0
    assert await runtime.relay.parked() == 1  # what a metrics scrape reads
    assert OUTBOX_PARKED.labels("probe")._value.get() == 1
    assert (await runtime.readiness())["relay"] == "ok"

    workers = ServiceWorkers(runtime, relay=False)
    await workers.start()

    async def good_ones_applied() -> bool:
        return sorted(await effects(probe.engine)) == [1, 3]

    await eventually(good_ones_applied, what="the two good messages")
    await workers.stop(grace=5)

    async with runtime.sessionmaker() as session:
        listed, total = await parked_messages(session, OUTBOX, limit=10, offset=0)
    assert total == 1 and listed[0]["message_id"] == bad
    async with runtime.sessionmaker() as session, session.begin():
        await requeue_parked(session, OUTBOX, bad)
    assert await runtime.relay.backlog() == 1  # back in the relay's hands, attempts from zero
    assert (await row(runtime, bad))["publish_attempts"] == 0


async def test_a_running_relay_goes_on_past_a_refused_message(probe: ProbeHarness) -> None:
    runtime = await probe.runtime()
    (bad,) = await write_events(runtime, 10)
    await spoil(runtime, bad)
    workers = ServiceWorkers(runtime)
    await workers.start()
    try:
        await write_events(runtime, 11)
        await write_events(runtime, 12)

        async def others_applied_and_bad_one_parked() -> bool:
            parked = (await row(runtime, bad))["parked_at"] is not None
            return parked and sorted(await effects(probe.engine)) == [11, 12]

        await eventually(others_applied_and_bad_one_parked, timeout=20, what="parking and delivery")
        assert runtime.relay.consecutive_failures == 0  # a refusal is not a failed batch
    finally:
        await workers.stop(grace=5)


class BrokerAway:
    """A transport whose broker is away until `back` is set: every publish fails like a lost connection."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.back = False

    async def publish(self, message: OutgoingMessage) -> None:
        if not self.back:
            raise PublishError("connection lost (broker away)")
        await self.inner.publish(message)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_readyz_reports_a_relay_that_keeps_failing(probe: ProbeHarness) -> None:
    settings = probe.settings.model_copy(update={"outbox_stuck_after_seconds": 0.2})
    away = BrokerAway(probe.broker.transport())
    worker = Runtime(probe_definition(), settings, away, topology=probe.broker.topology)  # type: ignore[arg-type]
    api = Runtime(probe_definition(), settings, probe.broker.transport(), topology=probe.broker.topology)
    probe.runtimes.extend((worker, api))
    await worker.open(migrate=False)
    await api.open(migrate=False)
    await write_events(worker, 20)
    workers = ServiceWorkers(worker, consumers=False)
    await workers.start()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_health_app(worker)), base_url="http://w"
    )
    try:

        async def failed_repeatedly() -> bool:
            return worker.relay.consecutive_failures >= 3

        await eventually(failed_repeatedly, timeout=15, what="three failed batches")
        response = await client.get("/readyz")
        assert response.status_code == 503, response.text
        check = response.json()["checks"]["relay"]
        assert check.startswith("stuck: the oldest pending message has waited"), check
        assert "batches failed in a row" in check and "broker away" in check
        # A process without the relay (an API) sees it from the database: nothing published meanwhile.
        assert (await api.readiness())["relay"].endswith("nothing was published for ever")

        away.back = True  # the relay's next batch, after its pause (10 s at most), goes through

        async def recovered() -> bool:
            return (await client.get("/readyz")).json()["checks"]["relay"] == "ok"

        await eventually(recovered, timeout=20, what="readyz after the broker came back")
        assert (await api.readiness())["relay"] == "ok"
    finally:
        await client.aclose()
        await workers.stop(grace=5)


async def test_commits_do_not_cut_a_failing_relays_pause_short(probe: ProbeHarness) -> None:
    """While the broker is away the relay pauses longer after each failed batch; a commit wakes it
    normally, but then each would be one more failed batch (a FOR UPDATE of the backlog held for the
    publish timeout, a warning) instead of one per pause."""
    away = BrokerAway(probe.broker.transport())
    worker = Runtime(probe_definition(), probe.settings, away, topology=probe.broker.topology)  # type: ignore[arg-type]
    probe.runtimes.append(worker)
    await worker.open(migrate=False)
    await write_events(worker, 1)
    workers = ServiceWorkers(worker, consumers=False)
    await workers.start()
    try:

        async def failing() -> bool:
            return worker.relay.consecutive_failures >= 2

        await eventually(failing, timeout=15, what="two failed batches")
        before = worker.relay.consecutive_failures  # its pause is 2 s or more now
        for n in range(20):
            await write_events(worker, 100 + n)  # each commit wakes the relay in this process
            await asyncio.sleep(0.03)
        assert worker.relay.consecutive_failures - before <= 1
    finally:
        await workers.stop(grace=5)
