"""The catalog's HTTP API on PostgreSQL: a database copied from a migrated and initialized template
per test, an admin's token, and the events its outbox holds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from stalker_catalog.definition import catalog_definition
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

from support.catalog import Catalog, catalog_settings
from support.databases import create_database, drop_database, migrated_template, sqlalchemy_url, unique_name


@pytest.fixture(scope="session")
def catalog_template(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head and initialized, copied for each test."""
    data_dir = tmp_path_factory.mktemp("catalog")

    def runtime_for(url: str) -> Runtime:
        return Runtime(
            catalog_definition(), catalog_settings(url, data_dir), InMemoryTransport(InMemoryBroker())
        )

    with migrated_template(pg_server, "stalker_catalog_tpl", runtime_for) as name:
        yield name


@pytest.fixture
async def catalog(pg_server: str, catalog_template: str, tmp_path: Path) -> AsyncIterator[Catalog]:
    name = unique_name("stalker_catalog_test")
    await create_database(pg_server, name, template=catalog_template)
    runtime = Runtime(
        catalog_definition(),
        catalog_settings(sqlalchemy_url(pg_server, name), tmp_path),
        InMemoryTransport(InMemoryBroker()),
    )
    await runtime.open(migrate=False)
    app = create_service_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://catalog.test")
    catalog = Catalog(runtime, client)
    client.headers.update(await catalog.token_for("admin"))
    try:
        yield catalog
    finally:
        await client.aclose()
        await runtime.close()
        await drop_database(pg_server, name)


@pytest.fixture
async def embedded_catalog(tmp_path: Path) -> AsyncIterator[Catalog]:
    """The catalog on an embedded SQLite file, migrated and initialized as `stalker-host` does."""
    settings = catalog_settings(f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}", tmp_path)
    runtime = Runtime(catalog_definition(), settings, InMemoryTransport(InMemoryBroker()))
    await runtime.open(migrate=True)
    app = create_service_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://catalog.test")
    catalog = Catalog(runtime, client)
    client.headers.update(await catalog.token_for("admin"))
    try:
        yield catalog
    finally:
        await client.aclose()
        await runtime.close()


@pytest.fixture(params=["postgresql", "sqlite"])
def service(request: pytest.FixtureRequest) -> Catalog:
    """The catalog on a PostgreSQL database per test, or on an embedded SQLite file."""
    name = "catalog" if request.param == "postgresql" else "embedded_catalog"
    found: Catalog = request.getfixturevalue(name)
    return found
