"""The catalog's mirror of versions, kept from the versions service's events: each version recorded once
whatever the order and the repeats of its events, a deletion final; and the catalog's worker hearing of a
version over the broker (the in-process one on SQLite, RabbitMQ on PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stalker_catalog.db.models import MESSAGING
from stalker_catalog.db.version_mirror import KnownVersion
from stalker_catalog.definition import catalog_definition
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.contracts.versions import VersionCreated, VersionDeleted, VersionPublished
from stalker_shared.messaging.queues import CATALOG_VERSION_EVENTS, stalker_topology
from stalker_shared.messaging.transport import OutgoingMessage
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

from support.brokers import BrokerUnderTest
from support.catalog import Catalog, catalog_settings
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name
from support.versions import FakeDelivery

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def version_created(
    version_id: int, project_id: int, task_id: int, number: int = 1, take: str = "Main"
) -> VersionCreated:
    return VersionCreated(
        id=version_id,
        project_id=project_id,
        task_id=task_id,
        take_name=take,
        version_number=number,
        path=f"$REPO1/P/{task_id}",
        filename=f"{take}_v{number:03d}.ma",
        full_path=f"$REPO1/P/{task_id}/{take}_v{number:03d}.ma",
        repository_id=1,
        created_at=NOW,
    )


def version_published(version_id: int, project_id: int, task_id: int, number: int = 1) -> VersionPublished:
    return VersionPublished(
        id=version_id,
        project_id=project_id,
        task_id=task_id,
        take_name="Main",
        version_number=number,
        full_path=f"$REPO1/P/{task_id}/Main_v{number:03d}.ma",
        published_at=NOW,
    )


async def deliver(catalog: Catalog, event: Contract, message_id: uuid.UUID | None = None) -> FakeDelivery:
    """Hand a versions event to the catalog's consumer of them as the broker would."""
    envelope = Envelope.wrap(event, correlation_id="test", causation_id=None)
    if message_id is not None:
        envelope = envelope.model_copy(update={"message_id": message_id})
    return await deliver_body(catalog, envelope.model_dump_json().encode(), str(envelope.message_id))


async def deliver_body(catalog: Catalog, body: bytes, message_id: str | None = None) -> FakeDelivery:
    runtime = catalog.runtime
    subscriptions = runtime.definition.subscriptions
    [consumer] = [
        c
        for c, s in zip(runtime.consumers(), subscriptions, strict=True)
        if s.queue == CATALOG_VERSION_EVENTS
    ]
    delivery = FakeDelivery(body, message_id)
    await consumer.handle(delivery)
    return delivery


async def known(runtime: Runtime, version_id: int) -> tuple[Any, ...] | None:
    async with runtime.sessionmaker() as session:
        row = await session.get(KnownVersion, version_id)
        if row is None:
            return None
        return (row.project_id, row.task_id, row.take_name, row.version_number, row.deleted)


async def test_a_version_is_recorded_once_whatever_the_order_and_repeats(service: Catalog) -> None:
    created = version_created(2**40, 3, 30, number=7)
    message_id = uuid.uuid4()
    assert (await deliver(service, created, message_id)).outcome == "ack"
    # The same message again, then another message with the same payload: neither changes anything.
    assert (await deliver(service, created, message_id)).outcome == "ack"
    assert (await deliver(service, created)).outcome == "ack"
    assert await known(service.runtime, 2**40) == (3, 30, "Main", 7, False)
    async with service.runtime.sessionmaker() as session:
        assert len((await session.scalars(select(KnownVersion))).all()) == 1

    # Out of order: the later event (published) first, the earlier one (created) after it.
    assert (await deliver(service, version_published(11, 4, 40, number=2))).outcome == "ack"
    assert (await deliver(service, version_created(11, 4, 40, number=2))).outcome == "ack"
    assert await known(service.runtime, 11) == (4, 40, "Main", 2, False)


async def test_a_deleted_version_stays_deleted_when_a_late_event_arrives(service: Catalog) -> None:
    await deliver(service, version_created(12, 3, 30))
    for deleted in (12, 13):  # 13 never heard of: a tombstone all the same
        event = VersionDeleted(id=deleted, project_id=3, task_id=30)
        assert (await deliver(service, event)).outcome == "ack"
    for late in (version_published(12, 3, 30), version_created(13, 3, 30)):
        assert (await deliver(service, late)).outcome == "ack"
    assert await known(service.runtime, 12) == (3, 30, "Main", 1, True)
    assert await known(service.runtime, 13) == (0, 0, "", 0, True)
    note = await service.client.post("/catalog/v1/notes", json={"text": "x", "version_id": 12})
    assert note.status_code == 404 and note.json()["field"] == "version_id"


async def test_a_version_event_that_breaks_its_contract_is_dead_lettered(service: Catalog) -> None:
    envelope = Envelope.wrap(version_created(14, 3, 30), correlation_id="test", causation_id=None)
    broken = envelope.model_copy(update={"payload": {**envelope.payload, "task_id": "not a number"}})
    delivery = await deliver_body(service, broken.model_dump_json().encode(), str(broken.message_id))
    assert delivery.outcome == "dead_letter" and "task_id" in (delivery.reason or "")
    assert await known(service.runtime, 14) is None


@dataclass(frozen=True)
class Backend:
    kind: str  # "embedded": the in-process broker and SQLite; "distributed": RabbitMQ and PostgreSQL
    amqp_server: str | None = None
    pg_server: str | None = None
    template: str | None = None  # a migrated catalog database to copy


@pytest.fixture(params=["embedded", "distributed"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Resolved here, outside any event loop: the session's template database is built with asyncio.run."""
    if request.param == "embedded":
        return Backend("embedded")
    return Backend(
        "distributed",
        request.getfixturevalue("amqp_server"),
        request.getfixturevalue("pg_server"),
        request.getfixturevalue("catalog_template"),
    )


@pytest.fixture
async def catalog_on_a_broker(
    backend: Backend, namespace: str, tmp_path: Path
) -> AsyncIterator[tuple[Runtime, BrokerUnderTest]]:
    """A catalog runtime with its workers running on the backend."""
    topology = stalker_topology(namespace)
    database = None
    if backend.pg_server is None:
        broker = BrokerUnderTest("memory", topology)
        url = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    else:
        broker = BrokerUnderTest("rabbitmq", topology, url=backend.amqp_server)
        database = unique_name("stalker_catalog_mirror")
        await create_database(backend.pg_server, database, template=backend.template)
        url = sqlalchemy_url(backend.pg_server, database)
    settings = catalog_settings(url, tmp_path)
    runtime = Runtime(catalog_definition(), settings, broker.transport(), topology=topology)
    await runtime.open(migrate=database is None)
    workers = ServiceWorkers(runtime)
    await workers.start()
    try:
        yield runtime, broker
    finally:
        await workers.stop(grace=5)
        await runtime.close()
        await broker.cleanup()
        if backend.pg_server and database:
            await drop_database(backend.pg_server, database)


async def test_the_catalog_worker_hears_of_versions_over_the_broker(
    catalog_on_a_broker: tuple[Runtime, BrokerUnderTest],
) -> None:
    runtime, broker = catalog_on_a_broker
    publisher = broker.transport()
    await publisher.connect()
    for event in (version_created(21, 3, 30, number=4), version_published(21, 3, 30, number=4)):
        envelope = Envelope.wrap(event, correlation_id="mirror-test", causation_id=None)
        await publisher.publish(
            OutgoingMessage(
                exchange=broker.topology.name("versions"),
                routing_key=envelope.routing_key,
                body=envelope.model_dump_json().encode(),
                message_id=str(envelope.message_id),
                correlation_id="mirror-test",
                type=envelope.type,
            )
        )
    for _ in range(300):  # up to 30 s
        if len(await processed(runtime)) == 2:
            break
        await asyncio.sleep(0.1)
    assert await processed(runtime) == ["versions.version.created.v1", "versions.version.published.v1"]
    assert await known(runtime, 21) == (3, 30, "Main", 4, False)


async def processed(runtime: Runtime) -> list[str]:
    """The types of the messages the catalog's consumer of version events has applied."""
    inbox = MESSAGING.inbox
    async with runtime.sessionmaker() as session:
        statement = select(inbox.c.message_type).where(inbox.c.consumer == CATALOG_VERSION_EVENTS)
        return sorted(await session.scalars(statement))
