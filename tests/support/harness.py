"""The probe service on one mode's database and broker (embedded: SQLite + in-process broker;
distributed: PostgreSQL + RabbitMQ), shared by the messaging and reliability tests."""

from __future__ import annotations

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

from support.brokers import BrokerUnderTest
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name
from support.probe import create_schema, probe_definition, probe_topology


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
        retry_backoff_seconds=0.05,
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
