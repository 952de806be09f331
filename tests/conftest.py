"""Fixtures shared by every test: servers, fresh databases, broker namespaces, the probe service."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from stalker_shared.db import create_engine
from stalker_shared.messaging.transport import Transport
from stalker_shared.runtime import Runtime
from stalker_shared.settings import ServiceSettings

from support import servers
from support.brokers import BrokerUnderTest
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name
from support.probe import create_schema, probe_definition, probe_topology


@pytest.fixture(scope="session")
def pg_server() -> str:
    return str(servers.require(servers.postgres_url(), "postgres"))


@pytest.fixture(scope="session")
def amqp_server() -> str:
    return str(servers.require(servers.amqp_url(), "amqp"))


@pytest.fixture
def namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
async def pg_database(pg_server: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database; yields its SQLAlchemy URL."""
    name = unique_name("stalker_test")
    await create_database(pg_server, name)
    try:
        yield sqlalchemy_url(pg_server, name)
    finally:
        await drop_database(pg_server, name)


@dataclass
class ProbeHarness:
    """The probe service on one mode's database and broker, with as many runtimes as a test needs."""

    broker: BrokerUnderTest
    settings: ServiceSettings
    engine: AsyncEngine
    runtimes: list[Runtime] = field(default_factory=list)

    async def runtime(self, transport: Transport | None = None, *, open_: bool = True) -> Runtime:
        runtime = Runtime(
            probe_definition(),
            self.settings,
            transport or self.broker.transport(),
            topology=self.broker.topology,
        )
        self.runtimes.append(runtime)
        if open_:
            await runtime.open(migrate=False)
        return runtime


@asynccontextmanager
async def probe_harness(
    mode: str, request: pytest.FixtureRequest, namespace: str, tmp_path: Path
) -> AsyncIterator[ProbeHarness]:
    """embedded: SQLite and the in-process broker; distributed: PostgreSQL and RabbitMQ."""
    topology = probe_topology(namespace, delivery_limit=3)
    database_name = None
    if mode == "embedded":
        broker = BrokerUnderTest("memory", topology)
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}"
    else:
        server = request.getfixturevalue("pg_server")
        broker = BrokerUnderTest("rabbitmq", topology, url=request.getfixturevalue("amqp_server"))
        database_name = unique_name("stalker_probe")
        await create_database(server, database_name)
        database_url = sqlalchemy_url(server, database_name)
    settings = ServiceSettings(
        service_name="probe",
        database_url=database_url,
        messaging_namespace=namespace,
        outbox_poll_interval=0.05,
    )
    engine = create_engine(database_url)
    await create_schema(engine)
    harness = ProbeHarness(broker, settings, engine)
    try:
        yield harness
    finally:
        for runtime in harness.runtimes:
            await runtime.close()
        await broker.cleanup()
        await engine.dispose()
        if database_name is not None:
            await drop_database(request.getfixturevalue("pg_server"), database_name)


@pytest.fixture(params=["embedded", "distributed"])
async def probe(
    request: pytest.FixtureRequest, namespace: str, tmp_path: Path
) -> AsyncIterator[ProbeHarness]:
    """The probe service in each mode: the same test runs on both transports."""
    async with probe_harness(request.param, request, namespace, tmp_path) as harness:
        yield harness


@pytest.fixture
async def distributed_probe(
    request: pytest.FixtureRequest, namespace: str, tmp_path: Path
) -> AsyncIterator[ProbeHarness]:
    """The probe service on PostgreSQL and RabbitMQ only (outages, row locks)."""
    async with probe_harness("distributed", request, namespace, tmp_path) as harness:
        yield harness
