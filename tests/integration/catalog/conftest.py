"""The catalog's HTTP API on PostgreSQL: a database copied from a migrated and initialized template
per test, an admin's token, and the events its outbox holds."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name

from stalker_catalog.db.models import MESSAGING
from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_shared.auth import generate_private_pem
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

ADMIN_PASSWORD = "admin-secret"
PRIVATE_KEY = generate_private_pem()


def catalog_settings(database_url: str, data_dir: Path) -> CatalogSettings:
    return CatalogSettings(
        database_url=database_url,
        data_dir=data_dir,
        admin_password=SecretStr(ADMIN_PASSWORD),
        jwt_private_key=SecretStr(PRIVATE_KEY),
        outbox_poll_interval=0.05,
    )


@pytest.fixture(scope="session")
def catalog_template(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head and initialized, copied for each test."""
    name = unique_name("stalker_catalog_tpl")

    async def build() -> None:
        await create_database(pg_server, name)
        settings = catalog_settings(sqlalchemy_url(pg_server, name), tmp_path_factory.mktemp("catalog"))
        runtime = Runtime(catalog_definition(), settings, InMemoryTransport(InMemoryBroker()))
        await runtime.migrate()
        await runtime.close()

    asyncio.run(build())
    yield name
    asyncio.run(drop_database(pg_server, name))


@dataclass
class Catalog:
    runtime: Runtime
    client: httpx.AsyncClient

    async def login(self, login: str, password: str) -> dict[str, str]:
        response = await self.client.post(
            "/catalog/v1/auth/token", data={"username": login, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def events(self) -> list[dict[str, Any]]:
        """Every message written to the outbox so far, oldest first (envelopes as dicts)."""
        async with self.runtime.sessionmaker() as session:
            bodies = await session.scalars(select(MESSAGING.outbox.c.body).order_by(MESSAGING.outbox.c.id))
            return [json.loads(b) for b in bodies]

    async def event_types(self) -> list[str]:
        return [e["type"] for e in await self.events()]


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
    client.headers.update(await catalog.login("admin", ADMIN_PASSWORD))
    try:
        yield catalog
    finally:
        await client.aclose()
        await runtime.close()
        await drop_database(pg_server, name)
