"""A tiny service used to test the messaging plumbing: it publishes ProbeEvents and records the
effect of each one it consumes, so tests can count effects (lost and duplicated ones included)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from stalker_shared.consumer import PermanentFailure, Subscription
from stalker_shared.contracts import Contract, ContractRegistry, Envelope
from stalker_shared.db import BigIntKey
from stalker_shared.messaging.topology import Binding, QueueSpec, Topology
from stalker_shared.metrics import CONSUMER_MESSAGES
from stalker_shared.runtime import Runtime, ServiceDefinition
from stalker_shared.tables import add_messaging_tables
from stalker_shared.unit_of_work import UnitOfWork

PROBE_QUEUE = "probe.events"


class ProbeEvent(Contract):
    TYPE = "catalog.probe.happened"
    VERSION = 1

    n: int
    poison: bool = False
    refuse: bool = False


metadata = MetaData()
MESSAGING = add_messaging_tables(metadata)
effect = Table(
    "probe_effect",
    metadata,
    Column("id", BigIntKey, primary_key=True, autoincrement=True),
    Column("message_id", Uuid, nullable=False),  # deliberately not unique: duplicates must show
    Column("n", Integer, nullable=False),
    Column("correlation_id", String(200), nullable=False),
)

# Seconds each effect takes (set by the worker process of the crash tests to widen the window).
EFFECT_DELAY = {"seconds": 0.0}


async def record_effect(uow: UnitOfWork, envelope: Envelope, event: Contract) -> None:
    assert isinstance(event, ProbeEvent)
    if event.poison:
        raise RuntimeError(f"poison message {event.n}")
    if event.refuse:
        raise PermanentFailure(f"event {event.n} contradicts this service's state")
    await uow.session.execute(
        insert(effect).values(
            message_id=envelope.message_id, n=event.n, correlation_id=envelope.correlation_id
        )
    )
    if EFFECT_DELAY["seconds"]:
        await asyncio.sleep(EFFECT_DELAY["seconds"])


def probe_topology(namespace: str, delivery_limit: int = 3) -> Topology:
    return Topology(
        namespace=namespace,
        queues=(QueueSpec(PROBE_QUEUE, (Binding("catalog", "catalog.probe.*.v1"),), delivery_limit),),
    )


def probe_definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="probe",
        metadata=metadata,
        tables=MESSAGING,
        migrations=Path(__file__).parent / "no-migrations",
        routers=(),
        subscriptions=(Subscription(PROBE_QUEUE, {ProbeEvent: record_effect}),),
        registry=ContractRegistry([ProbeEvent]),
    )


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)


async def effects(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(effect.c.n).order_by(effect.c.id))).scalars())


async def effect_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(effect)) or 0)


async def produce(runtime: Runtime, batches: int = 30, per_batch: int = 10) -> set[uuid.UUID]:
    """Probe events in `batches` units of work of `per_batch` each, a tenth of a second apart; their ids."""
    written: set[uuid.UUID] = set()
    for batch in range(batches):
        async with runtime.unit_of_work() as uow:
            for n in range(per_batch):
                written.add((await uow.publish(ProbeEvent(n=batch * per_batch + n))).message_id)
            await uow.commit()
        await asyncio.sleep(0.1)
    return written


def duplicates_seen() -> float:
    """How many probe messages the consumer has acknowledged as duplicates so far (its metric)."""
    return float(CONSUMER_MESSAGES.labels("probe", PROBE_QUEUE, "duplicate")._value.get())


async def effected(engine: AsyncEngine) -> list[uuid.UUID]:
    """The message ids of every effect row, one per applied message."""
    async with engine.connect() as connection:
        return list((await connection.execute(select(effect.c.message_id))).scalars())
