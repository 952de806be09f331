"""Tutorial Parts II to IV over HTTP: the sequence and its shots; renaming, querying and deleting a shot;
the SH001 tasks with their dependencies, resources and efforts, and the statuses the workflow gives."""

from __future__ import annotations

from typing import Any

import httpx

from support.catalog import Catalog

API = "/catalog/v1"
ME = {
    "name": "Erkan Ozgur Yilmaz",
    "login": "eoyilmaz",
    "email": "eoyilmaz@example.com",
    "password": "Tr0ub4dor&3",
}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def fancy_commercial(client: httpx.AsyncClient) -> dict[str, Any]:
    hd = await ok(
        await client.post(f"{API}/image-formats", json={"name": "HD 1080", "width": 1920, "height": 1080}),
        201,
    )
    project = {"name": "Fancy Commercial", "code": "FC", "image_format_id": hd["id"], "fps": 25}
    return dict(await ok(await client.post(f"{API}/projects", json=project), 201))


async def test_part_ii_a_a_sequence_and_three_shots_in_it(catalog: Catalog) -> None:
    client = catalog.client
    project = await fancy_commercial(client)
    seq1 = await ok(
        await client.post(
            f"{API}/sequences", json={"name": "Sequence 1", "code": "SEQ1", "project_id": project["id"]}
        ),
        201,
    )
    shots = [
        await ok(
            await client.post(f"{API}/shots", json={"code": code, "project_id": project["id"], **extra}), 201
        )
        for code, extra in (
            ("SH001", {"name": "SH001", "sequence_ids": [seq1["id"]]}),
            ("SH002", {"sequence_ids": [seq1["id"]]}),
            ("SH003", {"sequence_ids": [seq1["id"]]}),
        )
    ]
    assert [s["name"] for s in shots] == [
        "SH001",
        "SH002",
        "SH003",
    ]  # a shot with only a code is named after it
    assert all(s["sequence_ids"] == [seq1["id"]] and s["parent_id"] is None for s in shots)
    # cut in/out default to 1; image format and fps come from the project
    assert {(s["cut_in"], s["cut_out"], s["image_format_id"], s["fps"]) for s in shots} == {
        (1, 1, project["image_format_id"], 25.0)
    }
    in_seq = await ok(await client.get(f"{API}/shots/{shots[1]['id']}/sequences"))
    assert [s["code"] for s in in_seq] == ["SEQ1"]
    listed = await ok(await client.get(f"{API}/shots", params={"project_id": project["id"], "sort": "code"}))
    assert listed["total"] == 3 and [s["code"] for s in listed["items"]] == ["SH001", "SH002", "SH003"]
    every_kind = await ok(await client.get(f"{API}/tasks", params={"project_id": project["id"]}))
    assert [t["kind"] for t in every_kind["items"]] == ["sequence", "shot", "shot", "shot"]


async def test_part_ii_b_a_wrong_shot_is_renamed_queried_renamed_back_and_deleted(catalog: Catalog) -> None:
    client = catalog.client
    project = await fancy_commercial(client)
    seq1 = await ok(
        await client.post(
            f"{API}/sequences", json={"name": "Sequence 1", "code": "SEQ1", "project_id": project["id"]}
        ),
        201,
    )
    sh004 = await ok(
        await client.post(
            f"{API}/shots", json={"code": "SH004", "project_id": project["id"], "sequence_ids": [seq1["id"]]}
        ),
        201,
    )
    await ok(await client.patch(f"{API}/shots/{sh004['id']}", json={"code": "SH005"}))
    found = await ok(await client.get(f"{API}/shots", params={"code": "SH005"}))
    assert [s["id"] for s in found["items"]] == [sh004["id"]]
    wrong_shot = found["items"][0]
    renamed = await ok(await client.patch(f"{API}/shots/{wrong_shot['id']}", json={"code": "SH004"}))
    assert renamed["code"] == "SH004" and renamed["revision"] == 3
    assert (await client.delete(f"{API}/shots/{wrong_shot['id']}")).status_code == 204
    gone = await ok(await client.get(f"{API}/shots", params={"code": "SH005"}))
    assert gone == {"items": [], "total": 0, "limit": 100, "offset": 0}  # print(wrong_shot) -> None
    assert (await client.get(f"{API}/shots/{wrong_shot['id']}")).status_code == 404
    assert (await client.get(f"{API}/sequences/{seq1['id']}")).status_code == 200  # the sequence stays
    task_events = [t for t in await catalog.event_types() if t.startswith("catalog.task.")]
    assert task_events == [
        "catalog.task.created",  # SEQ1
        "catalog.task.created",  # SH004
        "catalog.task.updated",
        "catalog.task.updated",
        "catalog.task.deleted",
    ]


async def sh001_tasks(catalog: Catalog) -> dict[str, Any]:
    """Part III: the five SH001 tasks and their dependencies; returns them by name, plus the shot and me."""
    client = catalog.client
    project = await fancy_commercial(client)
    sh001 = await ok(
        await client.post(f"{API}/shots", json={"code": "SH001", "project_id": project["id"]}), 201
    )
    made = {}
    for name in ("Previs", "Matchmove", "Animation", "Lighting", "comp"):
        made[name] = await ok(
            await client.post(f"{API}/tasks", json={"name": name, "parent_id": sh001["id"]}), 201
        )
    ids = {name: task["id"] for name, task in made.items()}
    for name, on in (
        ("comp", ["Lighting"]),
        ("Lighting", ["Animation"]),
        ("Animation", ["Previs", "Matchmove"]),
    ):
        body = {"depends": [ids[other] for other in on]}
        await ok(await client.put(f"{API}/tasks/{ids[name]}/dependencies", json=body))
    me = await ok(await client.post(f"{API}/users", json=ME), 201)
    return {"project": project, "shot": sh001, "ids": ids, "me": me}


async def test_part_iii_tasks_of_a_shot_wait_for_their_dependencies(catalog: Catalog) -> None:
    client = catalog.client
    setup = await sh001_tasks(catalog)
    ids = setup["ids"]
    statuses = {name: (await ok(await client.get(f"{API}/tasks/{i}")))["status"] for name, i in ids.items()}
    assert statuses == {
        "Previs": "RTS",
        "Matchmove": "RTS",
        "Animation": "WFD",
        "Lighting": "WFD",
        "comp": "WFD",
    }
    animation = await ok(await client.get(f"{API}/tasks/{ids['Animation']}/dependencies"))
    assert animation == [
        {
            "depends_on_id": ids[n],
            "target": "onend",
            "gap_timing": 0.0,
            "gap_unit": "h",
            "gap_model": "length",
        }
        for n in ("Previs", "Matchmove")
    ]
    shot = await ok(await client.get(f"{API}/shots/{setup['shot']['id']}"))
    assert shot["status"] == "RTS" and shot["is_container"] and not shot["is_leaf"]  # children {RTS, WFD}
    children = await ok(await client.get(f"{API}/tasks/{setup['shot']['id']}/children"))
    assert [c["name"] for c in children] == ["Previs", "Matchmove", "Animation", "Lighting", "comp"]


async def test_part_iv_the_user_is_the_resource_of_every_task_with_its_effort(catalog: Catalog) -> None:
    client = catalog.client
    setup = await sh001_tasks(catalog)
    ids, me = setup["ids"], setup["me"]
    efforts = {
        "Previs": (10, "d"),
        "Matchmove": (2, "d"),
        "Animation": (5, "d"),
        "Lighting": (3, "d"),
        "comp": (6, "h"),
    }
    for name, (timing, unit) in efforts.items():
        body = {"resource_ids": [me["id"]], "schedule_timing": timing, "schedule_unit": unit}
        await ok(await client.patch(f"{API}/tasks/{ids[name]}", json=body))
    listed = await ok(await client.get(f"{API}/tasks", params={"parent_id": setup["shot"]["id"]}))
    by_name = {t["name"]: t for t in listed["items"]}
    assert {n: (t["schedule_timing"], t["schedule_unit"]) for n, t in by_name.items()} == efforts
    assert all(t["resource_ids"] == [me["id"]] and t["schedule_model"] == "effort" for t in by_name.values())
    # a working day is 9 hours in the default studio calendar
    assert by_name["Previs"]["schedule_seconds"] == 10 * 9 * 3600
    assert by_name["comp"]["schedule_seconds"] == 6 * 3600
    assert by_name["Previs"]["bid_timing"] == 1.0  # the bid stays what it was when the task was made
    statuses = {n: t["status"] for n, t in by_name.items()}
    assert statuses == {
        "Previs": "RTS",
        "Matchmove": "RTS",
        "Animation": "WFD",
        "Lighting": "WFD",
        "comp": "WFD",
    }
    resources = await ok(await client.get(f"{API}/tasks/{ids['comp']}/resources"))
    assert [u["login"] for u in resources] == ["eoyilmaz"]
