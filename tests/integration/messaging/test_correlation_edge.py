"""The defect of issue 13: in distributed mode a 200-character non-ASCII X-Correlation-ID on any request
became a message property beyond RabbitMQ's 255-byte short-string limit, and the relay then failed its
whole batch forever. Now the edge accepts a correlation id only as a bounded ASCII token and replaces
anything else; the catalog (PostgreSQL, its own migrations, RabbitMQ) publishes the event at once."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from stalker_catalog.db.models import MESSAGING
from stalker_catalog.definition import catalog_definition
from stalker_shared.correlation import (
    accepted_id,
    correlation_scope,
    current_causation_id,
    current_correlation_id,
)
from stalker_shared.http import create_service_app
from stalker_shared.messaging import RabbitTransport
from stalker_shared.messaging.queues import stalker_topology
from stalker_shared.runtime import Runtime

from support.brokers import BrokerUnderTest
from support.catalog import Catalog, catalog_settings

TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@pytest.fixture
async def catalog_on_rabbitmq(
    pg_database: str, amqp_server: str, namespace: str, tmp_path: Path
) -> AsyncIterator[Catalog]:
    settings = catalog_settings(pg_database, tmp_path).model_copy(
        update={"broker_url": amqp_server, "messaging_namespace": namespace}
    )
    broker = BrokerUnderTest("rabbitmq", stalker_topology(namespace), url=amqp_server)
    runtime = Runtime(catalog_definition(), settings, RabbitTransport(amqp_server, connection_name="tests"))
    await runtime.open(migrate=True)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_service_app(runtime, manage_runtime=False)),
        base_url="http://catalog.test",
    )
    catalog = Catalog(runtime, client)
    client.headers.update(await catalog.token_for("admin"))
    try:
        yield catalog
    finally:
        await client.aclose()
        await runtime.close()
        await broker.cleanup()


async def outbox_correlation_ids(catalog: Catalog) -> list[str]:
    async with catalog.runtime.sessionmaker() as session:
        bodies = await session.scalars(select(MESSAGING.outbox.c.body).order_by(MESSAGING.outbox.c.id))
        return [json.loads(body)["correlation_id"] for body in bodies]


@pytest.mark.parametrize(
    "supplied",
    ["é" * 200, "x" * 129, "has space", "new\nline", "ünïcode", ""],
    ids=["200-non-ascii", "too-long", "space", "newline", "non-ascii", "empty"],
)
def test_only_a_bounded_ascii_token_is_accepted(supplied: str) -> None:
    replaced = accepted_id(supplied)
    assert replaced != supplied and TOKEN.fullmatch(replaced)


def test_a_token_is_kept() -> None:
    for supplied in ("job-42", "a" * 128, "0b5c:trace.span_1"):
        assert accepted_id(supplied) == supplied


def test_a_message_carrying_a_bad_id_gets_a_fresh_one_in_its_consumer() -> None:
    """The consumer binds a message's ids with correlation_scope, which accepts only tokens too: a bad id
    from an older producer does not travel on into the consumer's own messages."""
    with correlation_scope("é" * 200, "also bad"):
        correlation, causation = current_correlation_id(), current_causation_id()
    assert TOKEN.fullmatch(correlation) and causation is not None and TOKEN.fullmatch(causation)
    with correlation_scope("job-42", "0b5c-cause"):
        assert (current_correlation_id(), current_causation_id()) == ("job-42", "0b5c-cause")


async def test_a_hostile_correlation_header_cannot_stall_the_outbox(catalog_on_rabbitmq: Catalog) -> None:
    catalog, hostile = catalog_on_rabbitmq, "é" * 200
    response = await catalog.client.post(
        "/catalog/v1/projects",
        json={"name": "Edge", "code": "EDGE"},
        headers={"X-Correlation-ID": hostile.encode("latin-1")},  # 200 bytes, 400 as UTF-8
    )
    assert response.status_code == 201, response.text
    fresh = response.headers["x-correlation-id"]
    assert TOKEN.fullmatch(fresh) and fresh != hostile
    kept = await catalog.client.post(
        "/catalog/v1/projects", json={"name": "Kept", "code": "KEPT"}, headers={"X-Correlation-ID": "job-42"}
    )
    assert kept.status_code == 201 and kept.headers["x-correlation-id"] == "job-42"
    ids = await outbox_correlation_ids(catalog)
    assert fresh in ids and "job-42" in ids and all(TOKEN.fullmatch(i) for i in ids)

    relay = catalog.runtime.relay
    assert await relay.publish_pending() == len(ids)  # the old relay raised here, every 10 s, forever
    assert await relay.backlog() == 0


async def test_admins_see_and_requeue_parked_messages(catalog_on_rabbitmq: Catalog) -> None:
    catalog = catalog_on_rabbitmq
    outbox, relay = MESSAGING.outbox, catalog.runtime.relay
    unpublished = outbox.c.published_at.is_(None)
    await relay.publish_pending()  # what initialization wrote
    created = await catalog.client.post("/catalog/v1/projects", json={"name": "Parked", "code": "PARKED"})
    assert created.status_code == 201, created.text
    async with catalog.runtime.sessionmaker() as session, session.begin():
        # As an older producer could have written it, before the edge refused such ids.
        await session.execute(update(outbox).where(unpublished).values(correlation_id="é" * 200))
    for _ in range(catalog.runtime.settings.outbox_park_after):
        assert await relay.publish_pending() == 0
    assert await relay.backlog() == 0

    listed = await catalog.client.get("/catalog/v1/outbox/parked")
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 1 and page["items"][0]["message_type"] == "catalog.project.created"
    assert page["items"][0]["publish_attempts"] == catalog.runtime.settings.outbox_park_after
    assert "255 bytes" in page["items"][0]["parked_reason"]
    message_id = page["items"][0]["message_id"]

    password = "a-long-enough-password-1"
    user = await catalog.client.post(
        "/catalog/v1/users",
        json={"name": "Artist", "login": "artist", "email": "artist@example.com", "password": password},
    )
    assert user.status_code == 201, user.text
    artist = await catalog.token_for("artist")
    assert (await catalog.client.get("/catalog/v1/outbox/parked", headers=artist)).status_code == 403
    requeue = f"/catalog/v1/outbox/parked/{message_id}/requeue"
    assert (await catalog.client.post(requeue, headers=artist)).status_code == 403

    async with catalog.runtime.sessionmaker() as session, session.begin():  # the cause mended
        await session.execute(
            update(outbox).where(outbox.c.published_at.is_(None)).values(correlation_id="ok")
        )
    assert (await catalog.client.post(requeue)).status_code == 204
    assert (await catalog.client.post(requeue)).status_code == 404  # no longer parked
    assert (await catalog.client.post("/catalog/v1/outbox/parked/nope/requeue")).status_code == 422
    assert await relay.publish_pending() == 2  # the requeued one, and the artist's creation
    assert (await catalog.client.get("/catalog/v1/outbox/parked")).json()["total"] == 0
