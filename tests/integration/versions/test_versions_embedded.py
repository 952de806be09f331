"""The embedded mode's database: the same tutorial steps on SQLite (upserts, the recursive task query,
the counter) give the same numbers and paths."""

from __future__ import annotations

import asyncio

from support.versions import (
    COMP,
    VersionsService,
    feed_the_commercial,
    set_up_storage,
)


async def test_the_tutorial_on_sqlite(embedded_versions: VersionsService) -> None:
    embedded = embedded_versions  # conftest's SQLite service
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
