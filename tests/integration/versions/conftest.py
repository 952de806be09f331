"""The versions service's HTTP API on PostgreSQL (a database copied from a migrated template per test) or
on an embedded SQLite file, an admin's token, and a fake catalog for the lookups the read model cannot
answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_versions.api.common import versions_state
from stalker_versions.definition import versions_definition

from support.databases import create_database, drop_database, migrated_template, sqlalchemy_url, unique_name
from support.versions import ADMIN, FakeCatalog, VersionsService, bearer, versions_settings


@pytest.fixture(scope="session")
def versions_template(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head, copied for each test."""
    data_dir = tmp_path_factory.mktemp("versions")

    def runtime_for(url: str) -> Runtime:
        return Runtime(
            versions_definition(), versions_settings(url, data_dir), InMemoryTransport(InMemoryBroker())
        )

    with migrated_template(pg_server, "stalker_versions_tpl", runtime_for) as name:
        yield name


@pytest.fixture
async def versions(pg_server: str, versions_template: str, tmp_path: Path) -> AsyncIterator[VersionsService]:
    name = unique_name("stalker_versions_test")
    await create_database(pg_server, name, template=versions_template)
    runtime = Runtime(
        versions_definition(),
        versions_settings(sqlalchemy_url(pg_server, name), tmp_path),
        InMemoryTransport(InMemoryBroker()),
    )
    catalog = FakeCatalog()
    versions_state(runtime).catalog = catalog
    await runtime.open(migrate=False)
    app = create_service_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://versions.test", headers=bearer(ADMIN)
    )
    try:
        yield VersionsService(runtime, client, catalog, app)
    finally:
        await client.aclose()
        await runtime.close()
        await drop_database(pg_server, name)


@pytest.fixture
async def embedded_versions(tmp_path: Path) -> AsyncIterator[VersionsService]:
    settings = versions_settings(f"sqlite+aiosqlite:///{tmp_path / 'versions.db'}", tmp_path)
    runtime = Runtime(versions_definition(), settings, InMemoryTransport(InMemoryBroker()))
    catalog = FakeCatalog()
    versions_state(runtime).catalog = catalog
    await runtime.open(migrate=True)
    app = create_service_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://versions.test", headers=bearer(ADMIN)
    )
    try:
        yield VersionsService(runtime, client, catalog, app)
    finally:
        await client.aclose()
        await runtime.close()


@pytest.fixture(params=["postgresql", "sqlite"])
def service(request: pytest.FixtureRequest) -> VersionsService:
    """The versions service on a PostgreSQL database per test, or on an embedded SQLite file."""
    fixture = "versions" if request.param == "postgresql" else "embedded_versions"
    found: VersionsService = request.getfixturevalue(fixture)
    return found
