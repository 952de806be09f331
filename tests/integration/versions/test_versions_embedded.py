"""The embedded mode's database: the same tutorial steps on SQLite (upserts, the recursive task query,
the counter) give the same numbers and paths."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_versions.api.common import versions_state
from stalker_versions.definition import versions_definition

from support.versions import (
    ADMIN,
    COMP,
    FakeCatalog,
    VersionsService,
    bearer,
    feed_the_commercial,
    set_up_storage,
    versions_settings,
)


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[VersionsService]:
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


async def test_the_tutorial_on_sqlite(embedded: VersionsService) -> None:
    await feed_the_commercial(embedded)
    repository = await set_up_storage(embedded)
    create = f"/versions/v1/tasks/{COMP}/versions"
    responses = await asyncio.gather(*(embedded.client.post(create, json={}) for _ in range(5)))
    assert sorted(r.json()["version_number"] for r in responses) == [1, 2, 3, 4, 5]
    first = (await embedded.client.get(f"{create}?limit=1")).json()["items"][0]
    assert first["full_path"] == f"$REPO{repository['id']}/FC/SH001/comp/SH001_comp_Main_v001"
    assert first["absolute_path"] == "/mnt/M/commercials/FC/SH001/comp"
    await embedded.client.delete(f"/versions/v1/versions/{first['id']}")
    assert (await embedded.post(create, {}))["version_number"] == 6
