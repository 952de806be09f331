"""Crash scenarios from RELIABILITY.md: R4 (crash after commit, before ack), R5 (relay crash after the
broker's confirm, before marking published), a broker outage at commit time, and relays side by side."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.messaging import InMemoryTransport, Transport
from stalker_shared.messaging.transport import Consumption, Delivery, DeliveryHandler
from stalker_shared.metrics import CONSUMER_MESSAGES, OUTBOX_PUBLISHED
from stalker_shared.outbox import OutboxRelay
from stalker_shared.workers import ServiceWorkers

from support.brokers import eventually
from support.harness import ProbeHarness
from support.probe import MESSAGING, PROBE_QUEUE, ProbeEvent, effect_count, effects
from support.tcp_proxy import TcpProxy

# Kills or stops processes and times how they go: in the "process_kills" xdist group, one such test at a time
# (on one worker) while the other workers run the rest.
pytestmark = pytest.mark.xdist_group("process_kills")


class _AckNeverArrives:
    """A delivery whose ack is lost: the process 'dies' right after its transaction committed."""

    def __init__(self, inner: Delivery, crashed: asyncio.Event) -> None:
        self._inner, self._crashed = inner, crashed

    @property
    def body(self) -> bytes:
        return self._inner.body

    @property
    def message_id(self) -> str | None:
        return self._inner.message_id

    @property
    def delivery_count(self) -> int:
        return self._inner.delivery_count

    async def ack(self) -> None:
        self._crashed.set()

    async def retry(self) -> None:
        await self._inner.retry()

    async def dead_letter(self, reason: str) -> None:
        await self._inner.dead_letter(reason)


class CrashBeforeAck:
    """Wraps a transport so that its consumers commit their effect but never acknowledge."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.crashed = asyncio.Event()

    async def consume(self, queue: str, handler: DeliveryHandler, prefetch: int) -> Consumption:
        async def crashing(delivery: Delivery) -> None:
            await handler(_AckNeverArrives(delivery, self.crashed))

        return await self.inner.consume(queue, crashing, prefetch)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def _counter(outcome: str) -> float:
    return float(CONSUMER_MESSAGES.labels("probe", PROBE_QUEUE, outcome)._value.get())


async def test_r4_crash_after_commit_before_ack_redelivers_and_applies_once(probe: ProbeHarness) -> None:
    crashing = CrashBeforeAck(probe.broker.transport())
    doomed = await probe.runtime(crashing)  # type: ignore[arg-type]
    doomed_workers = ServiceWorkers(doomed)
    await doomed_workers.start()
    await_first = asyncio.wait_for(crashing.crashed.wait(), timeout=20)
    async with doomed.unit_of_work() as uow:
        await uow.publish(ProbeEvent(n=1))
        await uow.commit()
    await await_first
    assert await effect_count(probe.engine) == 1  # committed before the "crash"
    await doomed_workers.stop(grace=5)
    await doomed.transport.close()  # the connection dies with the process: the broker takes the message back

    duplicates_before = _counter("duplicate")
    survivor = await probe.runtime()
    survivor_workers = ServiceWorkers(survivor, relay=False)
    await survivor_workers.start()

    async def redelivered() -> bool:
        return _counter("duplicate") - duplicates_before == 1

    await eventually(redelivered, what="the redelivery")
    await survivor_workers.stop(grace=5)
    assert await effects(probe.engine) == [1]


class RelayDiesBeforeMarking(OutboxRelay):
    """Publishes (and gets the broker's confirms), then dies before marking the rows published."""

    async def _mark_published(self, session: AsyncSession, ids: list[int]) -> None:
        raise ConnectionResetError("relay process killed after the confirm")


async def test_r5_relay_crash_after_confirm_publishes_twice_and_applies_once(probe: ProbeHarness) -> None:
    runtime = await probe.runtime()
    async with runtime.unit_of_work() as uow:
        await uow.publish(ProbeEvent(n=5))
        await uow.commit()
    dying = RelayDiesBeforeMarking(
        service="probe", sessionmaker=runtime.sessionmaker, tables=MESSAGING, transport=runtime.transport
    )
    with pytest.raises(ConnectionResetError):
        await dying.publish_pending()
    assert await runtime.relay.publish_pending() == 1  # the restarted relay publishes the same row again

    duplicates_before = _counter("duplicate")
    workers = ServiceWorkers(runtime, relay=False)
    await workers.start()

    async def both_copies_handled() -> bool:
        return _counter("duplicate") - duplicates_before == 1 and await effect_count(probe.engine) == 1

    await eventually(both_copies_handled, what="both copies")
    await workers.stop(grace=5)
    assert await effects(probe.engine) == [5]
    assert await runtime.relay.publish_pending() == 0


async def test_message_committed_while_the_broker_is_down_is_published_when_it_returns(
    distributed_probe: ProbeHarness,
) -> None:
    """The in-process broker lives and dies with its process, so an outage is a RabbitMQ scenario."""
    probe = distributed_probe
    real = urlsplit(probe.broker.url)
    proxy = TcpProxy(real.hostname or "127.0.0.1", real.port or 5672)
    await proxy.start()
    through_proxy = urlunsplit(
        (real.scheme, f"{real.username}:{real.password}@127.0.0.1:{proxy.port}", real.path, "", "")
    )
    publisher = await probe.runtime(probe.broker.transport(through_proxy))
    consumer = await probe.runtime()
    consumer_workers = ServiceWorkers(consumer, relay=False)
    await consumer_workers.start()
    relay_workers = ServiceWorkers(publisher, consumers=False)
    await relay_workers.start()
    try:
        await proxy.stop()  # the broker is gone for the publisher
        async with publisher.unit_of_work() as uow:
            await uow.publish(ProbeEvent(n=42))
            await uow.commit()
        await asyncio.sleep(1.5)
        assert await effect_count(probe.engine) == 0
        assert await publisher.relay.backlog() == 1  # kept safe in the outbox
        await proxy.start()  # the broker is back on the same address

        async def delivered() -> bool:
            return await effect_count(probe.engine) == 1

        await eventually(delivered, timeout=40, what="delivery after the outage")
        assert await publisher.relay.backlog() == 0
    finally:
        await relay_workers.stop(grace=5)
        await consumer_workers.stop(grace=5)
        await proxy.stop()
    assert await effects(probe.engine) == [42]


async def test_relays_side_by_side_publish_each_message_once(distributed_probe: ProbeHarness) -> None:
    """Relays share PostgreSQL's outbox through SKIP LOCKED; each row is published by exactly one of them."""
    probe = distributed_probe
    runtime = await probe.runtime()
    async with runtime.unit_of_work() as uow:
        for n in range(300):
            await uow.publish(ProbeEvent(n=n))
        await uow.commit()
    counting = InMemoryTransport(probe.broker.memory)
    await counting.connect()
    await counting.declare(probe.broker.topology)
    relays = [
        OutboxRelay(
            service="probe",
            sessionmaker=runtime.sessionmaker,
            tables=MESSAGING,
            transport=counting,
            batch_size=25,
        )
        for _ in range(4)
    ]
    published_before = OUTBOX_PUBLISHED.labels("probe")._value.get()

    async def drain(relay: OutboxRelay) -> None:
        while await relay.publish_pending():
            pass

    await asyncio.gather(*(drain(r) for r in relays))
    queued = probe.broker.memory.drain(probe.broker.topology.name(PROBE_QUEUE))
    assert len(queued) == 300
    assert len({m.message_id for m in queued}) == 300
    assert OUTBOX_PUBLISHED.labels("probe")._value.get() - published_before == 300
    async with runtime.sessionmaker() as session:
        left = await session.scalar(select(func.count()).where(MESSAGING.outbox.c.published_at.is_(None)))
    assert left == 0
