"""The rules of the task graph with the problem details a client receives: loops in dependencies and
parents, depending on an ancestor, the WFD/RTS rule, projects, deleting, relations and list filters."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from support.catalog import API, Catalog, ok, problem, project, task


async def chain(client: httpx.AsyncClient) -> dict[str, int]:
    """SH001 with Previs <- Animation <- Lighting <- comp (``A <- B``: B depends on A)."""
    pid = await project(client)
    shot = await ok(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": pid}), 201)
    ids = {"SH001": shot["id"]}
    previous: int | None = None
    for name in ("Previs", "Animation", "Lighting", "comp"):
        depends = [previous] if previous else []
        ids[name] = previous = (await task(client, name=name, parent_id=shot["id"], depends=depends))["id"]
    return ids


async def set_status(catalog: Catalog, task_id: int, status: str) -> None:
    """What the time-log workflow (outside this API) does to a task's status."""
    async with catalog.runtime.sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE task SET status = :s WHERE id = :i"), {"s": status, "i": task_id})


async def test_a_dependency_loop_is_refused_and_named(catalog: Catalog) -> None:
    ids = await chain(catalog.client)
    body = await problem(
        await catalog.client.post(
            f"{API}/tasks/{ids['Previs']}/dependencies", json={"depends_on_id": ids["comp"]}
        ),
        409,
    )
    assert body["field"] == "depends"
    assert [step["name"] for step in body["cycle"]] == ["Previs", "comp", "Lighting", "Animation", "Previs"]
    assert "Previs (id" in body["detail"] and "comp (id" in body["detail"]
    after = await ok(await catalog.client.get(f"{API}/tasks/{ids['Previs']}/dependencies"))
    assert after == []  # nothing changed


async def test_hierarchy_loops_ancestors_and_self_are_refused(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    under_child = await problem(
        await client.patch(f"{API}/tasks/{ids['SH001']}", json={"parent_id": ids["Previs"]}), 409
    )
    assert under_child["field"] == "parent_id" and "own descendant" in under_child["detail"]
    assert [s["id"] for s in under_child["cycle"]] == [ids["SH001"], ids["Previs"], ids["SH001"]]
    own_parent = await problem(
        await client.patch(f"{API}/tasks/{ids['comp']}", json={"parent_id": ids["comp"]}), 409
    )
    assert "own parent" in own_parent["detail"]
    on_ancestor = await problem(
        await client.post(f"{API}/tasks/{ids['Previs']}/dependencies", json={"depends_on_id": ids["SH001"]}),
        409,
    )
    assert on_ancestor["field"] == "depends" and "may not depend on its ancestor" in on_ancestor["detail"]
    assert "SH001" in on_ancestor["detail"] and "Previs" in on_ancestor["detail"]
    on_itself = await problem(
        await client.put(f"{API}/tasks/{ids['comp']}/dependencies", json={"depends": [ids["comp"]]}), 409
    )
    assert "may not depend on itself" in on_itself["detail"]
    # a container may not depend on its own child either
    on_child = await problem(
        await client.patch(f"{API}/tasks/{ids['SH001']}", json={"depends": [ids["comp"]]}), 409
    )
    assert "descendant" in on_child["detail"]


async def test_a_move_that_closes_a_loop_through_dependencies_is_refused(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    # Previs under comp: comp waits for Lighting <- Animation <- Previs, and Previs would wait for comp.
    body = await problem(
        await client.patch(f"{API}/tasks/{ids['Previs']}", json={"parent_id": ids["comp"]}), 409
    )
    assert body["field"] == "parent_id"
    assert {s["name"] for s in body["cycle"]} >= {"Previs", "comp"}


async def test_dependencies_only_change_while_wfd_or_rts(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    await set_status(catalog, ids["Previs"], "WIP")
    body = await problem(
        await client.post(
            f"{API}/tasks/{ids['Previs']}/dependencies", json={"depends_on_id": ids["SH001"] + 99}
        ),
        404,
    )
    assert body["field"] == "depends"
    extra = await task(client, name="Layout", parent_id=ids["SH001"])
    refused = await problem(
        await client.post(f"{API}/tasks/{ids['Previs']}/dependencies", json={"depends_on_id": extra["id"]}),
        409,
    )
    assert refused["field"] == "depends" and "is WIP" in refused["detail"] and "Previs" in refused["detail"]
    # the same list again is not a change, so it is accepted
    await ok(await client.put(f"{API}/tasks/{ids['Previs']}/dependencies", json={"depends": []}))
    # a WFD task may change its dependencies
    removed = await client.delete(f"{API}/tasks/{ids['comp']}/dependencies/{ids['Lighting']}")
    assert removed.status_code == 204
    assert (await ok(await client.get(f"{API}/tasks/{ids['comp']}")))["status"] == "RTS"  # nothing open left
    missing = await problem(
        await client.delete(f"{API}/tasks/{ids['comp']}/dependencies/{ids['Lighting']}"), 404
    )
    assert missing["field"] == "depends_on_id"


async def test_children_take_their_parents_project(catalog: Catalog) -> None:
    client = catalog.client
    fc, other = await project(client), await project(client, "OTHER")
    parent = await task(client, name="Parent", project_id=fc)
    child = await task(client, name="Child", parent_id=parent["id"])
    assert child["project_id"] == fc
    clash = await problem(
        await client.post(f"{API}/tasks", json={"name": "C", "parent_id": parent["id"], "project_id": other}),
        422,
    )
    assert clash["field"] == "project_id"
    elsewhere = await task(client, name="Elsewhere", project_id=other)
    across = await problem(
        await client.put(f"{API}/tasks/{child['id']}/dependencies", json={"depends": [elsewhere["id"]]}), 422
    )
    assert across["field"] == "depends" and "project" in across["detail"]
    moved = await problem(
        await client.patch(f"{API}/tasks/{child['id']}", json={"parent_id": elsewhere["id"]}), 422
    )
    assert moved["field"] == "parent_id"


async def test_adding_a_child_clears_the_parents_resources(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    me = await ok(
        await client.post(
            f"{API}/users", json={"name": "Me", "login": "me", "email": "me@x.com", "password": "Tr0ub4dor&3"}
        ),
        201,
    )
    parent = await task(client, name="Parent", project_id=pid, resource_ids=[me["id"]])
    await ok(
        await client.post(f"{API}/tasks/{parent['id']}/alternative_resources", json={"user_id": me["id"]}),
        201,
    )
    await task(client, name="Child", parent_id=parent["id"])
    after = await ok(await client.get(f"{API}/tasks/{parent['id']}"))
    assert (
        after["resource_ids"] == [] and after["is_container"] and after["revision"] == parent["revision"] + 2
    )
    events = [e for e in await catalog.events() if e["type"] == "catalog.task.updated"]
    assert events[-1]["payload"]["id"] == parent["id"] and events[-1]["payload"]["resource_ids"] == []


async def test_deleting_a_parent_deletes_its_children_with_an_event_each(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    other = await task(
        client,
        name="Review",
        project_id=(await ok(await client.get(f"{API}/tasks/{ids['comp']}")))["project_id"],
        depends=[ids["comp"]],
    )
    assert other["status"] == "WFD"
    assert (await client.delete(f"{API}/shots/{ids['SH001']}")).status_code == 204
    for task_id in ids.values():
        assert (await client.get(f"{API}/tasks/{task_id}")).status_code == 404
    deleted = {e["payload"]["id"] for e in await catalog.events() if e["type"] == "catalog.task.deleted"}
    assert deleted == set(ids.values())
    review = await ok(await client.get(f"{API}/tasks/{other['id']}"))
    assert review["depends"] == [] and review["status"] == "RTS"  # its dependency went, nothing open is left
    *_, updated, moved = await catalog.events()
    assert updated["type"] == "catalog.task.updated" and updated["payload"]["id"] == other["id"]
    assert moved["type"] == "catalog.task_status.changed"
    assert (moved["payload"]["task_id"], moved["payload"]["from_status"], moved["payload"]["to_status"]) == (
        other["id"],
        "WFD",
        "RTS",
    )


async def test_deleting_a_dependency_keeps_dependents_waiting_on_what_is_still_open(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    layout = await task(client, name="Layout", parent_id=ids["SH001"])
    await ok(
        await client.post(
            f"{API}/tasks/{ids['Lighting']}/dependencies",
            json={"depends_on_id": layout["id"], "gap_timing": 2, "gap_unit": "d"},
        ),
        201,
    )
    assert (await client.delete(f"{API}/tasks/{ids['Animation']}")).status_code == 204
    lighting = await ok(await client.get(f"{API}/tasks/{ids['Lighting']}"))
    assert lighting["status"] == "WFD"  # Layout (RTS) is still open
    assert lighting["depends"] == [
        {
            "depends_on_id": layout["id"],
            "target": "onend",
            "gap_timing": 2.0,
            "gap_unit": "d",
            "gap_model": "length",
        }
    ]


async def test_relation_routes_and_list_filters(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    me = await ok(
        await client.post(
            f"{API}/users", json={"name": "Me", "login": "me", "email": "me@x.com", "password": "Tr0ub4dor&3"}
        ),
        201,
    )
    you = await ok(
        await client.post(
            f"{API}/users", json={"name": "You", "login": "you", "email": "y@x.com", "password": "pass-12345"}
        ),
        201,
    )
    await ok(
        await client.put(f"{API}/tasks/{ids['comp']}/resources", json={"user_ids": [you["id"], me["id"]]})
    )
    assert (await client.delete(f"{API}/tasks/{ids['comp']}/resources/{you['id']}")).status_code == 204
    assert [u["login"] for u in await ok(await client.get(f"{API}/tasks/{ids['comp']}/resources"))] == ["me"]
    gone = await problem(await client.delete(f"{API}/tasks/{ids['comp']}/resources/{you['id']}"), 404)
    assert gone["field"] == "resource_ids"
    alt = await ok(
        await client.post(f"{API}/tasks/{ids['comp']}/alternative_resources", json={"user_id": you["id"]}),
        201,
    )
    assert [u["login"] for u in alt] == ["you"]
    busy = await problem(await client.delete(f"{API}/users/{me['id']}"), 409)
    assert busy["referenced_by"]["task.resources"] == [ids["comp"]]
    found = await ok(
        await client.get(
            f"{API}/tasks", params={"status__in": "WFD", "name__contains": "ight", "kind": "task"}
        )
    )
    assert [t["name"] for t in found["items"]] == ["Lighting"]
    trimmed = await ok(
        await client.get(f"{API}/tasks", params={"fields": "id,name,status", "parent_id": ids["SH001"]})
    )
    assert trimmed["total"] == 4 and set(trimmed["items"][0]) == {"id", "name", "status"}
    unknown = await problem(await client.get(f"{API}/tasks", params={"colour": "red"}), 422)
    assert unknown["field"] == "colour"


async def test_posting_a_dependency_again_changes_its_target_and_gap(catalog: Catalog) -> None:
    client = catalog.client
    ids = await chain(client)
    url = f"{API}/tasks/{ids['comp']}/dependencies"
    first = await ok(
        await client.post(url, json={"depends_on_id": ids["Lighting"], "gap_timing": 2, "gap_unit": "d"}), 201
    )
    assert [(d["gap_timing"], d["gap_unit"]) for d in first] == [(2.0, "d")]
    again = await ok(
        await client.post(
            url, json={"depends_on_id": ids["Lighting"], "target": "OnStart", "gap_model": "duration"}
        ),
        201,
    )
    assert again == [
        {
            "depends_on_id": ids["Lighting"],
            "target": "onstart",
            "gap_timing": 0.0,
            "gap_unit": "h",
            "gap_model": "duration",
        }
    ]
    assert (await ok(await client.get(url))) == again
    # the batch's own negative item ids are not ids a client may use: ids are positive
    negative = await problem(await client.post(url, json={"depends_on_id": -1}), 422)
    assert negative["errors"][0]["field"] == "depends_on_id"


async def test_deleting_a_sequence_keeps_its_shots_out_of_it(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    seq = await ok(
        await client.post(f"{API}/sequences", json={"name": "S", "code": "SEQ1", "project_id": pid}), 201
    )
    other = await ok(
        await client.post(f"{API}/sequences", json={"name": "T", "code": "SEQ2", "project_id": pid}), 201
    )
    shot = await ok(
        await client.post(
            f"{API}/shots",
            json={"code": "SH001", "project_id": pid, "sequence_ids": [seq["id"], other["id"]]},
        ),
        201,
    )
    assert (await client.delete(f"{API}/sequences/{seq['id']}")).status_code == 204
    after = await ok(await client.get(f"{API}/shots/{shot['id']}"))
    assert after["sequence_ids"] == [other["id"]] and after["revision"] == shot["revision"] + 1
    last = (await catalog.events())[-1]
    assert last["type"] == "catalog.task.updated" and last["payload"]["sequence_ids"] == [other["id"]]
    moved = await ok(await client.put(f"{API}/shots/{shot['id']}/sequences", json={"sequence_ids": []}))
    assert moved == []
    not_a_sequence = await problem(
        await client.put(f"{API}/shots/{shot['id']}/sequences", json={"sequence_ids": [shot["id"]]}), 404
    )
    assert not_a_sequence["field"] == "sequence_ids"
