"""Fixtures shared by every test: servers, fresh databases, broker namespaces, the probe service."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support import servers
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name
from support.harness import ProbeHarness, probe_harness


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
