"""Version plans kept in memory (service/version_plans.py): a plan is reused while nothing it was read
from has changed, and any committed change to the read model, a project, a template, a structure, a
storage or a repository is seen by the very next version, on PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from stalker_shared.contracts.catalog import ProjectUpdated, TaskDeleted, TaskUpdated
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_versions.api.common import versions_state
from stalker_versions.definition import versions_definition

from support.versions import (
    ADMIN,
    COMP,
    PROJECT,
    SHOT,
    FakeCatalog,
    VersionsService,
    bearer,
    feed_the_commercial,
    set_up_storage,
    task_state,
    versions_settings,
)

CREATE = f"/versions/v1/tasks/{COMP}/versions"
Change = Callable[[VersionsService, dict[str, Any]], Awaitable[None]]


async def rename_the_shot(versions: VersionsService, _: dict[str, Any]) -> None:
    renamed = task_state(
        TaskUpdated, id=SHOT, project_id=PROJECT, name="SH099", kind="shot", code="SH099", revision=2
    )
    assert (await versions.deliver(renamed)).outcome == "ack"


async def recode_the_project(versions: VersionsService, _: dict[str, Any]) -> None:
    updated = ProjectUpdated(
        id=PROJECT, name="Fancy Commercial", code="FX", revision=2, status="RTS", status_list_id=1
    )
    assert (await versions.deliver(updated)).outcome == "ack"


async def edit_the_template(versions: VersionsService, first: dict[str, Any]) -> None:
    edited = await versions.client.patch(
        f"/versions/v1/filename-templates/{first['template_id']}",
        json={"filename": '{{version.nice_name}}_r{{"%02d"|format(version.version_number)}}'},
    )
    assert edited.status_code == 200, edited.text


async def move_to_another_repository(versions: VersionsService, _: dict[str, Any]) -> None:
    other = await versions.post("/versions/v1/repositories", {"name": "Other", "linux_path": "/mnt/other"})
    storage = (await versions.client.get(f"/versions/v1/projects/{PROJECT}/storage")).json()
    moved = await versions.client.put(
        f"/versions/v1/projects/{PROJECT}/storage",
        json={"repository_ids": [other["id"]], "structure_id": storage["structure_id"]},
    )
    assert moved.status_code == 200, moved.text


EXPECTED: dict[str, Callable[[dict[str, Any]], bool]] = {
    "rename_the_shot": lambda v: (
        v["path"].endswith("/FC/SH099/comp") and v["filename"] == "SH099_comp_Main_v002"
    ),
    "recode_the_project": lambda v: v["path"].endswith("/FX/SH001/comp"),
    "edit_the_template": lambda v: v["filename"] == "SH001_comp_Main_r02",
    "move_to_another_repository": lambda v: v["absolute_path"] == "/mnt/other/FC/SH001/comp",
}


@pytest.mark.parametrize(
    "change", [rename_the_shot, recode_the_project, edit_the_template, move_to_another_repository]
)
async def test_the_next_version_sees_a_committed_change(versions: VersionsService, change: Change) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    plans = versions_state(versions.runtime).plans
    first = await versions.post(CREATE, {})
    assert first["filename"] == "SH001_comp_Main_v001"

    await change(versions, first)
    second = await versions.post(CREATE, {})

    assert EXPECTED[change.__name__](second), second
    hits = plans.hits
    third = await versions.post(CREATE, {})
    assert plans.hits == hits + 1  # nothing changed since: the plan was reused
    assert (third["path"], third["version_number"]) == (second["path"], 3)


async def test_a_deleted_task_is_refused_after_its_plan_was_kept(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    await versions.post(CREATE, {})
    assert (await versions.deliver(TaskDeleted(id=COMP, revision=2))).outcome == "ack"
    refused = await versions.client.post(CREATE, json={})
    assert refused.status_code == 404 and "deleted" in refused.json()["detail"]


async def revision(versions: VersionsService) -> int:
    async with versions.runtime.engine.connect() as connection:
        return int((await connection.execute(text("SELECT value FROM plan_revision"))).scalar_one())


async def test_a_transaction_bumps_the_revision_once_and_a_rollback_not_at_all(
    versions: VersionsService,
) -> None:
    before = await revision(versions)
    insert = text(
        "INSERT INTO task_ref (id, project_id, kind, name, sequence_ids, revision, deleted) "
        "VALUES (:id, 1, 'task', 'x', '[]', 1, false)"
    )
    async with versions.runtime.engine.begin() as connection:
        for task_id in (901, 902, 903):
            await connection.execute(insert, {"id": task_id})
        await connection.execute(text("UPDATE task_ref SET name = 'y' WHERE id = 901"))
    assert await revision(versions) == before + 1
    async with versions.runtime.engine.connect() as connection:
        await connection.execute(insert, {"id": 904})
        await connection.rollback()
    assert await revision(versions) == before + 1


async def test_on_sqlite_a_change_is_seen_too(tmp_path: Path) -> None:
    settings = versions_settings(f"sqlite+aiosqlite:///{tmp_path / 'versions.db'}", tmp_path)
    runtime = Runtime(versions_definition(), settings, InMemoryTransport(InMemoryBroker()))
    catalog = versions_state(runtime).catalog = FakeCatalog()
    await runtime.open(migrate=True)
    app = create_service_app(runtime, manage_runtime=False)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://versions.test", headers=bearer(ADMIN)
    )
    embedded = VersionsService(runtime, client, catalog, app)
    try:
        await feed_the_commercial(embedded)
        await set_up_storage(embedded)
        first = await embedded.post(CREATE, {})
        await edit_the_template(embedded, first)
        await rename_the_shot(embedded, first)
        second = await embedded.post(CREATE, {})
        assert (second["path"].endswith("/FC/SH099/comp"), second["filename"]) == (
            True,
            "SH099_comp_Main_r02",
        )
    finally:
        await client.aclose()
        await runtime.close()
