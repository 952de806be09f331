"""Statuses, status lists, types and image formats over HTTP: the rules, the errors a client gets, the
events, and who may change what."""

from __future__ import annotations

from typing import Any

from stalker_catalog.db.models import Task

from support.catalog import Catalog

ARTIST = {"name": "Artist", "login": "artist", "email": "artist@studio.com", "password": "Tr0ub4dor&3"}


async def artist_headers(catalog: Catalog) -> dict[str, str]:
    assert (await catalog.client.post("/catalog/v1/users", json=ARTIST)).status_code == 201
    return await catalog.token_for("artist")


async def producer_headers(catalog: Catalog) -> dict[str, str]:
    """A user who produces one project: types and image formats are theirs to edit, not an artist's."""
    client = catalog.client
    user = await client.post("/catalog/v1/users", json={**ARTIST, "login": "producer", "email": "p@x.com"})
    project = await client.post("/catalog/v1/projects", json={"name": "Produced", "code": "PRD"})
    [role] = (await client.get("/catalog/v1/roles?name=Producer")).json()["items"]
    member = {"user_id": user.json()["id"], "role_id": role["id"]}
    added = await client.post(f"/catalog/v1/projects/{project.json()['id']}/users", json=member)
    assert added.status_code == 201, added.text
    return await catalog.token_for("producer")


async def status_id(catalog: Catalog, code: str) -> int:
    items = (await catalog.client.get(f"/catalog/v1/statuses?code={code}")).json()["items"]
    assert len(items) == 1, items
    return int(items[0]["id"])


async def insert_task(catalog: Catalog, **values: Any) -> int:
    """A task row written directly (the task API is not part of these tests)."""
    async with catalog.runtime.sessionmaker() as session:
        task = Task(**{"name": "Task", "status": "RTS", **values})
        session.add(task)
        await session.commit()
        return task.id


async def project_with_list(catalog: Catalog, codes: list[str], code: str = "FC") -> tuple[int, int]:
    """A status list for Project with these statuses and a project using it: (list id, project id)."""
    ids = [await status_id(catalog, c) for c in codes]
    status_list = await catalog.client.post(
        "/catalog/v1/status-lists",
        json={"name": f"{code} statuses", "target_entity_type": "Project", "status_ids": ids},
    )
    assert status_list.status_code == 201, status_list.text
    project = await catalog.client.post(
        "/catalog/v1/projects",
        json={"name": code, "code": code, "status_list_id": status_list.json()["id"]},
    )
    assert project.status_code == 201, project.text
    return status_list.json()["id"], project.json()["id"]


async def test_statuses_are_read_by_anyone_and_changed_by_admins_only(catalog: Catalog) -> None:
    client, artist = catalog.client, await artist_headers(catalog)
    found = await client.get("/catalog/v1/statuses?code=NEW", headers=artist)
    assert found.status_code == 200 and [s["name"] for s in found.json()["items"]] == ["New"]
    new_id = found.json()["items"][0]["id"]
    body = {"name": "Approved By Client", "code": "ABC"}
    assert (await client.post("/catalog/v1/statuses", json=body, headers=artist)).status_code == 403
    patch = await client.patch(f"/catalog/v1/statuses/{new_id}", json={"name": "x"}, headers=artist)
    assert patch.status_code == 403
    assert (await client.delete(f"/catalog/v1/statuses/{new_id}", headers=artist)).status_code == 403

    created = await client.post("/catalog/v1/statuses", json=body)
    assert created.status_code == 201 and created.json()["code"] == "ABC"
    assert (
        await client.get(f"/catalog/v1/statuses/{created.json()['id']}", headers=artist)
    ).status_code == 200
    clash = await client.post("/catalog/v1/statuses", json={"name": "Other", "code": "abc"})
    assert clash.status_code == 409 and clash.json()["field"] == "code"
    assert "already used by status" in clash.json()["detail"]
    renamed = await client.patch(
        f"/catalog/v1/statuses/{created.json()['id']}", json={"name": " Client  OK "}
    )
    assert renamed.json()["name"] == "Client OK" and renamed.json()["revision"] == 2
    types = await catalog.event_types()
    assert "catalog.status.created" in types and "catalog.status.updated" in types


async def test_deleting_a_status_in_use_says_by_which_lists_projects_and_tasks(catalog: Catalog) -> None:
    client = catalog.client
    used_by_defaults = await client.delete(f"/catalog/v1/statuses/{await status_id(catalog, 'WFD')}")
    assert used_by_defaults.status_code == 409
    assert set(used_by_defaults.json()["referenced_by"]) == {"status_list"}

    extra = (await client.post("/catalog/v1/statuses", json={"name": "Bidding", "code": "BID"})).json()
    list_id, project_id = await project_with_list(catalog, ["BID", "WIP"])
    used = await client.delete(f"/catalog/v1/statuses/{extra['id']}")
    assert used.status_code == 409
    assert used.json()["referenced_by"] == {"status_list": [list_id], "project": [project_id]}
    assert "status 'BID'" in used.json()["detail"] and "cannot be deleted" in used.json()["detail"]

    spare = (await client.post("/catalog/v1/statuses", json={"name": "Spare", "code": "SPR"})).json()
    task_id = await insert_task(catalog, project_id=project_id, status="SPR")
    by_task = await client.delete(f"/catalog/v1/statuses/{spare['id']}")
    assert by_task.status_code == 409 and by_task.json()["referenced_by"] == {"task": [task_id]}

    unused = (await client.post("/catalog/v1/statuses", json={"name": "Unused", "code": "UNU"})).json()
    assert (await client.delete(f"/catalog/v1/statuses/{unused['id']}")).status_code == 204
    assert (await client.get(f"/catalog/v1/statuses/{unused['id']}")).status_code == 404
    assert "catalog.status.deleted" in await catalog.event_types()


async def test_a_status_code_in_use_cannot_change_and_lists_follow_a_code_change(catalog: Catalog) -> None:
    client = catalog.client
    bid = (await client.post("/catalog/v1/statuses", json={"name": "Bidding", "code": "BID"})).json()
    list_id, project_id = await project_with_list(catalog, ["BID"])
    refused = await client.patch(f"/catalog/v1/statuses/{bid['id']}", json={"code": "BIDDING"})
    assert refused.status_code == 409 and refused.json()["referenced_by"] == {"project": [project_id]}
    assert (await client.delete(f"/catalog/v1/projects/{project_id}")).status_code == 204

    changed = await client.patch(f"/catalog/v1/statuses/{bid['id']}", json={"code": "BIDDING"})
    assert changed.status_code == 200 and changed.json()["code"] == "BIDDING"
    status_list = (await client.get(f"/catalog/v1/status-lists/{list_id}")).json()
    assert status_list["status_codes"] == ["BIDDING"] and status_list["revision"] == 2
    events = [e for e in await catalog.events() if e["type"] == "catalog.status_list.updated"]
    assert events[-1]["payload"]["status_codes"] == ["BIDDING"]


async def test_status_lists_keep_their_order_and_one_default_per_target(catalog: Catalog) -> None:
    client, artist = catalog.client, await artist_headers(catalog)
    ids = [await status_id(catalog, c) for c in ("NEW", "WIP", "CMPL")]
    body = {"name": "Project Status List", "target_entity_type": "project", "status_ids": ids}
    assert (await client.post("/catalog/v1/status-lists", json=body, headers=artist)).status_code == 403
    created = await client.post("/catalog/v1/status-lists", json=body)
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["target_entity_type"] == "Project" and made["is_default"] is False
    assert made["status_ids"] == ids and made["status_codes"] == ["NEW", "WIP", "CMPL"]

    reordered = await client.patch(f"/catalog/v1/status-lists/{made['id']}", json={"status_ids": ids[::-1]})
    assert reordered.json()["status_codes"] == ["CMPL", "WIP", "NEW"]
    patch = await client.patch(f"/catalog/v1/status-lists/{made['id']}", json={"name": "x"}, headers=artist)
    assert patch.status_code == 403
    second_default = await client.patch(f"/catalog/v1/status-lists/{made['id']}", json={"is_default": True})
    assert second_default.status_code == 409 and second_default.json()["field"] == "is_default"
    assert "already the default for Project" in second_default.json()["detail"]
    fixed_target = await client.patch(
        f"/catalog/v1/status-lists/{made['id']}", json={"target_entity_type": "Task"}
    )
    assert fixed_target.status_code == 422

    listed = await client.get("/catalog/v1/status-lists?target_entity_type=Project&is_default=true")
    assert [s["name"] for s in listed.json()["items"]] == ["Project Statuses"]
    assert (await client.get("/catalog/v1/status-lists", headers=artist)).json()["total"] == 10
    empty = await client.post("/catalog/v1/status-lists", json={**body, "status_ids": []})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "status_ids"
    missing = await client.post("/catalog/v1/status-lists", json={**body, "status_ids": [ids[0], 99999]})
    assert missing.status_code == 404 and missing.json()["field"] == "status_ids"
    assert "99999" in missing.json()["detail"]
    assert "catalog.status_list.created" in await catalog.event_types()


async def test_status_lists_in_use_cannot_lose_statuses_or_be_deleted(catalog: Catalog) -> None:
    client = catalog.client
    list_id, project_id = await project_with_list(catalog, ["NEW", "WIP"])
    dropping = await client.patch(
        f"/catalog/v1/status-lists/{list_id}", json={"status_ids": [await status_id(catalog, "WIP")]}
    )
    assert dropping.status_code == 409 and dropping.json()["referenced_by"] == {"project": [project_id]}
    deleting = await client.delete(f"/catalog/v1/status-lists/{list_id}")
    assert deleting.status_code == 409 and deleting.json()["referenced_by"] == {"project": [project_id]}

    shots = (await client.get("/catalog/v1/status-lists?target_entity_type=Shot")).json()["items"][0]
    task_id = await insert_task(catalog, project_id=project_id, kind="shot", code="SH001", status="RTS")
    shot_list = await client.delete(f"/catalog/v1/status-lists/{shots['id']}")
    assert shot_list.status_code == 409 and shot_list.json()["referenced_by"] == {"task": [task_id]}
    without_rts = [i for i, c in zip(shots["status_ids"], shots["status_codes"], strict=True) if c != "RTS"]
    shrinking = await client.patch(
        f"/catalog/v1/status-lists/{shots['id']}", json={"status_ids": without_rts}
    )
    assert shrinking.status_code == 409 and shrinking.json()["referenced_by"] == {"task": [task_id]}
    assert "cannot be removed" in shrinking.json()["detail"]

    assert (await client.delete(f"/catalog/v1/projects/{project_id}")).status_code == 204
    assert (await client.delete(f"/catalog/v1/status-lists/{list_id}")).status_code == 204
    assert "catalog.status_list.deleted" in await catalog.event_types()


async def test_types_are_unique_per_target_and_producers_may_write_them(catalog: Catalog) -> None:
    client, artist = catalog.client, await artist_headers(catalog)
    refused = await client.post(
        "/catalog/v1/types", json={"name": "Character", "target_entity_type": "Asset"}, headers=artist
    )
    assert refused.status_code == 403 and refused.json()["operation"] == "studio.reference.edit"
    artist = await producer_headers(catalog)
    character = await client.post(
        "/catalog/v1/types", json={"name": "Character", "target_entity_type": "Asset"}, headers=artist
    )
    assert character.status_code == 201, character.text
    assert character.json()["code"] == "Character" and character.json()["target_entity_type"] == "Asset"
    clash = await client.post("/catalog/v1/types", json={"name": "Character", "target_entity_type": "asset"})
    assert clash.status_code == 409 and clash.json()["field"] == "name"
    other_target = await client.post(
        "/catalog/v1/types", json={"name": "Character", "code": "CHR", "target_entity_type": "Shot"}
    )
    assert other_target.status_code == 201 and other_target.json()["code"] == "CHR"
    listed = await client.get("/catalog/v1/types?name=Character&sort=-id", headers=artist)
    assert [t["target_entity_type"] for t in listed.json()["items"]] == ["Shot", "Asset"]
    renamed = await client.patch(
        f"/catalog/v1/types/{character.json()['id']}", json={"code": "CHAR"}, headers=artist
    )
    assert renamed.json()["code"] == "CHAR"

    _, project_id = await project_with_list(catalog, ["NEW"])
    task_id = await insert_task(catalog, project_id=project_id, kind="asset", type_id=character.json()["id"])
    used = await client.delete(f"/catalog/v1/types/{character.json()['id']}")
    assert used.status_code == 409 and used.json()["referenced_by"] == {"task": [task_id]}
    assert "type 'Character'" in used.json()["detail"]
    assert (await client.delete(f"/catalog/v1/types/{other_target.json()['id']}")).status_code == 204
    types = await catalog.event_types()
    assert {"catalog.type.created", "catalog.type.updated", "catalog.type.deleted"} <= set(types)


async def test_image_formats_validate_sizes_and_derive_the_device_aspect(catalog: Catalog) -> None:
    client, artist = catalog.client, await artist_headers(catalog)
    refused = await client.post(
        "/catalog/v1/image-formats", json={"name": "HD", "width": 1920, "height": 1080}, headers=artist
    )
    assert refused.status_code == 403
    artist = await producer_headers(catalog)
    hd = await client.post(
        "/catalog/v1/image-formats", json={"name": "HD 1080", "width": 1920, "height": 1080}, headers=artist
    )
    assert hd.status_code == 201, hd.text
    made = hd.json()
    assert (made["pixel_aspect"], made["print_resolution"]) == (1.0, 300.0)
    assert abs(made["device_aspect"] - 16 / 9) < 1e-9
    anamorphic = await client.post(
        "/catalog/v1/image-formats",
        json={"name": "PAL wide", "width": 720, "height": 576, "pixel_aspect": 1.4},
    )
    assert abs(anamorphic.json()["device_aspect"] - 720 / 576 * 1.4) < 1e-9
    for bad, field in (
        ({"width": 0}, "width"),
        ({"height": -5}, "height"),
        ({"pixel_aspect": 0}, "pixel_aspect"),
        ({"print_resolution": -1}, "print_resolution"),
    ):
        refused = await client.post(
            "/catalog/v1/image-formats", json={"name": "Bad", "width": 10, "height": 10, **bad}
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field
    clash = await client.post("/catalog/v1/image-formats", json={"name": "HD 1080", "width": 1, "height": 1})
    assert clash.status_code == 409 and clash.json()["field"] == "name"
    resized = await client.patch(f"/catalog/v1/image-formats/{made['id']}", json={"height": 960})
    assert resized.json()["device_aspect"] == 2.0
    assert (
        await client.patch(f"/catalog/v1/image-formats/{made['id']}", json={"width": 0})
    ).status_code == 422

    project = await client.post(
        "/catalog/v1/projects", json={"name": "FC", "code": "FC", "image_format_id": made["id"]}
    )
    shot_id = await insert_task(
        catalog,
        project_id=project.json()["id"],
        kind="shot",
        code="SH1",
        image_format_id=anamorphic.json()["id"],
    )
    used = await client.delete(f"/catalog/v1/image-formats/{made['id']}")
    assert used.status_code == 409 and used.json()["referenced_by"] == {"project": [project.json()["id"]]}
    by_shot = await client.delete(f"/catalog/v1/image-formats/{anamorphic.json()['id']}")
    assert by_shot.status_code == 409 and by_shot.json()["referenced_by"] == {"shot": [shot_id]}
    await client.patch(f"/catalog/v1/projects/{project.json()['id']}", json={"image_format_id": None})
    assert (await client.delete(f"/catalog/v1/image-formats/{made['id']}")).status_code == 204
    events = [e for e in await catalog.events() if e["type"].startswith("catalog.image_format.")]
    assert [e["type"].rsplit(".", 1)[1] for e in events] == ["created", "created", "updated", "deleted"]
