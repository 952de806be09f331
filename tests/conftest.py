"""Fixtures shared by every test: servers, fresh databases, broker namespaces, the probe service."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support import servers
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name
from support.harness import ProbeHarness, probe_harness

# Every user a test creates costs an Argon2 hash: at production's cost (64 MiB, 3 passes, ~0.15 s of CPU)
# those were a large share of the suite's time. The tests hash at a low cost (still Argon2id, verified the
# same way); production's is tested in tests/security/test_admin_password_setting.py. Processes the tests
# start inherit it.
os.environ.setdefault("STALKER_CATALOG_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("STALKER_CATALOG_PASSWORD_HASH_MEMORY_KIB", "1024")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--dist loadgroup` for pytest 9: pytest-xdist (3.8) puts an `xdist_group` test in its group by
    appending "@group" to `item._nodeid`, which pytest 9 no longer reads (a node's id is `item._id`), so
    every group was silently spread over the workers. Do it here where xdist's own did not take."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        node_id = getattr(item, "_id", None)
        if names and node_id is not None and not item.nodeid.endswith(suffix):
            item._id = type(node_id).parse(item.nodeid + suffix)
            assert item.nodeid.endswith(suffix), "pytest changed how a node's id is kept"


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
