"""Task lists are read as rows and serialized in one pass; every item must be what the task's own GET
returns (read through the ORM and the response model), whatever relations and kind it has."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, update

from stalker_catalog.api.schemas.tasks import TaskRead
from stalker_catalog.db.models import Task, task_computed_resource

from support.catalog import API, Catalog, ok, project, task


async def test_list_items_equal_each_tasks_own_response(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client, fps=24.0)
    users = [
        (
            await ok(
                await client.post(
                    f"{API}/users",
                    json={
                        "name": f"Artist {n}",
                        "login": f"artist{n}",
                        "email": f"a{n}@x.test",
                        "password": "pw-1234567890",
                    },
                ),
                201,
            )
        )["id"]
        for n in range(3)
    ]
    seq = await ok(
        await client.post(f"{API}/sequences", json={"name": "S", "code": "SEQ1", "project_id": pid}), 201
    )
    shot = await ok(
        await client.post(
            f"{API}/shots",
            json={
                "code": "SH001",
                "project_id": pid,
                "sequence_ids": [seq["id"]],
                "cut_in": 1001,
                "cut_out": 1040,
            },
        ),
        201,
    )
    first = await task(
        client,
        name="layout",
        parent_id=shot["id"],
        resource_ids=users[:2],
        alternative_resource_ids=[users[2]],
        schedule_timing=3,
        schedule_unit="d",
        start="2025-01-06T09:00:00+03:00",
        schedule_constraint="start",
    )
    await task(
        client,
        name="anim",
        parent_id=shot["id"],
        resource_ids=[users[1]],
        schedule_model="duration",
        schedule_unit="w",
        depends=[{"depends_on_id": first["id"], "target": "onstart", "gap_timing": 2, "gap_unit": "h"}],
    )
    await task(
        client, name="milestone", project_id=pid, is_milestone=True, priority=900, bid_timing=3, bid_unit="w"
    )
    own = await ok(
        await client.post(f"{API}/shots", json={"code": "SH002", "project_id": pid, "fps": 50.0}),
        201,
    )
    # What a schedule run leaves: computed dates and resources.
    async with catalog.runtime.unit_of_work() as uow:
        await uow.session.execute(
            update(Task)
            .where(Task.id == first["id"])
            .values(
                computed_start=datetime(2025, 1, 6, 6, tzinfo=UTC),
                computed_end=datetime(2025, 1, 9, 15, tzinfo=UTC),
            )
        )
        await uow.session.execute(
            insert(task_computed_resource), [{"task_id": first["id"], "user_id": u} for u in users[:2]]
        )
        await uow.commit()

    listed = await ok(await client.get(f"{API}/tasks", params={"project_id": pid, "limit": 1000}))
    assert listed["total"] == 6 and len(listed["items"]) == 6
    for item in listed["items"]:
        assert set(item) == set(TaskRead.model_fields)  # nothing more than the documented response
        assert item == await ok(await client.get(f"{API}/tasks/{item['id']}"))
    layout = next(i for i in listed["items"] if i["id"] == first["id"])
    assert layout["computed_resource_ids"] == users[:2] and layout["computed_start"] == "2025-01-06T06:00:00Z"
    shots = await ok(await client.get(f"{API}/shots", params={"project_id": pid}))
    assert shots["items"] == [
        await ok(await client.get(f"{API}/shots/{shot['id']}")),
        await ok(await client.get(f"{API}/shots/{own['id']}")),
    ]
    assert shots["items"][0]["fps"] == 24.0 and shots["items"][0]["sequence_ids"] == [seq["id"]]
    assert shots["items"][1]["fps"] == 50.0  # its own, not the project's
    with_links = next(i for i in listed["items"] if i["name"] == "anim")
    assert with_links["depends"] == [
        {
            "depends_on_id": first["id"],
            "target": "onstart",
            "gap_timing": 2.0,
            "gap_unit": "h",
            "gap_model": "length",
        }
    ]
    # The total, whether counted or told by a page that is the last one.
    for offset, limit, found in ((0, 4, 4), (4, 4, 2), (6, 4, 0), (9, 1, 0), (5, 1, 1)):
        page = await ok(
            await client.get(f"{API}/tasks", params={"project_id": pid, "offset": offset, "limit": limit})
        )
        assert (page["total"], len(page["items"])) == (6, found)
        assert page["items"] == listed["items"][offset : offset + limit]
    none = await ok(await client.get(f"{API}/tasks", params={"project_id": pid, "name": "nothing"}))
    assert (none["total"], none["items"]) == (0, [])
    slim = await ok(await client.get(f"{API}/tasks", params={"project_id": pid, "fields": "id,name,is_leaf"}))
    assert all(set(i) == {"id", "name", "is_leaf"} for i in slim["items"])
