"""Bulk writes of the task tree, their validation, the events they publish, and a list endpoint whose
number of SQL statements does not grow with the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, text

from stalker_catalog.db.task_queries import load_tasks
from stalker_shared.contracts.catalog import TaskCreated

from support.catalog import Catalog

API = "/catalog/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def project(client: httpx.AsyncClient, code: str = "FC") -> int:
    body = {"name": f"Project {code}", "code": code}
    return int((await ok(await client.post(f"{API}/projects", json=body), 201))["id"])


def show(pid: int, shots: int = 2) -> list[dict[str, Any]]:
    """A sequence, its shots (children of the sequence, and in it), and four dependent tasks per shot."""
    items: list[dict[str, Any]] = [
        {"ref": "seq", "kind": "sequence", "name": "Sequence 1", "code": "SEQ1", "project_id": pid}
    ]
    for n in range(1, shots + 1):
        shot = f"SH{n:03d}"
        items.append(
            {"ref": shot, "kind": "shot", "code": shot, "parent_ref": "seq", "sequence_refs": ["seq"]}
        )
        previous: list[str] = []
        for step in ("previs", "anim", "lighting", "comp"):
            ref = f"{shot}/{step}"
            items.append(
                {
                    "ref": ref,
                    "name": step,
                    "parent_ref": shot,
                    "depends_on_refs": previous,
                    "schedule_timing": 2,
                    "schedule_unit": "d",
                }
            )
            previous = [ref]
    return items


async def test_bulk_create_builds_a_three_level_tree_with_refs(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    items = show(pid)
    result = await ok(await client.post(f"{API}/tasks/bulk", json={"items": items}), 201)
    assert result["count"] == len(items) == 11
    by_ref = {r["ref"]: r for r in result["items"]}
    assert [r["index"] for r in result["items"]] == list(range(11))
    statuses = {ref: r["status"] for ref, r in by_ref.items()}
    assert (
        statuses["SH001/previs"] == "RTS"
        and statuses["SH001/anim"] == "WFD"
        and statuses["SH002/comp"] == "WFD"
    )
    assert statuses["SH001"] == statuses["seq"] == "RTS"  # containers: children {RTS, WFD}
    comp = await ok(await client.get(f"{API}/tasks/{by_ref['SH001/comp']['id']}"))
    assert comp["parent_id"] == by_ref["SH001"]["id"] and comp["project_id"] == pid
    assert [d["depends_on_id"] for d in comp["depends"]] == [by_ref["SH001/lighting"]["id"]]
    assert comp["schedule_seconds"] == 2 * 9 * 3600
    shot = await ok(await client.get(f"{API}/shots/{by_ref['SH002']['id']}"))
    assert shot["parent_id"] == by_ref["seq"]["id"] and shot["sequence_ids"] == [by_ref["seq"]["id"]]
    assert shot["name"] == "SH002" and shot["is_container"]
    created = [e for e in await catalog.events() if e["type"] == "catalog.task.created"]
    assert sorted(e["payload"]["id"] for e in created) == sorted(r["id"] for r in result["items"])
    payload = next(e["payload"] for e in created if e["payload"]["id"] == by_ref["SH001/anim"]["id"])
    assert payload["status"] == "WFD" and payload["parent_id"] == by_ref["SH001"]["id"]
    assert payload["dependencies"] == [
        {
            "depends_on_id": by_ref["SH001/previs"]["id"],
            "target": "onend",
            "gap_timing": 0.0,
            "gap_unit": "h",
            "gap_model": "length",
        }
    ]
    assert len({e["correlation_id"] for e in created}) == 1  # one command
    # the created events are built from the plan; they say exactly what reading the rows back says
    async with catalog.runtime.sessionmaker() as session:
        stored = await load_tasks(session, [e["payload"]["id"] for e in created])
    assert [e["payload"] for e in created] == [
        TaskCreated.model_validate(t).model_dump(mode="json") for t in stored
    ]


async def test_bulk_validation_reports_every_bad_item_and_writes_nothing(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    items = [
        {"ref": "a", "name": "A", "project_id": pid},
        {"ref": "a", "name": "Twin", "project_id": pid},  # 1: ref used twice
        {"name": "B", "parent_ref": "nobody"},  # 2: unknown ref
        {"name": "C", "project_id": pid, "schedule_unit": "fortnight"},  # 3: unknown unit
        {"kind": "asset", "name": "D", "code": "D", "project_id": pid},  # 4: asset without type
        {"kind": "shot", "code": "SH001", "project_id": pid},
        {"kind": "shot", "code": "SH001", "project_id": pid},  # 6: duplicate shot code
        {"name": "E", "project_id": pid, "depends_on_refs": ["a"], "resource_ids": [404]},  # 7: unknown user
    ]
    body = await client.post(f"{API}/tasks/bulk", json={"items": items})
    assert body.status_code == 422, body.text
    errors = body.json()["errors"]
    assert [(e["index"], e.get("field")) for e in errors] == [
        (1, "ref"),
        (2, "parent_ref"),
        (3, "schedule_unit"),
        (4, "type_id"),
        (7, "resource_ids"),
    ]
    assert errors[0]["ref"] == "a" and errors[4]["status"] == 404
    assert "items[1]" in body.json()["detail"]
    async with catalog.runtime.sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM task")) == 0
    # once the field errors are fixed, the graph-wide checks (shot codes, loops) report theirs
    graph = [
        items[0],
        items[5],
        items[6],
        {"ref": "x", "name": "X", "project_id": pid, "depends_on_refs": ["y"]},
        {"ref": "y", "name": "Y", "project_id": pid, "depends_on_refs": ["x"]},
    ]
    body = await client.post(f"{API}/tasks/bulk", json={"items": graph})
    assert body.status_code == 422, body.text
    errors = body.json()["errors"]
    assert [(e["index"], e["status"], e.get("field")) for e in errors] == [
        (2, 409, "code"),
        (3, 409, "depends"),
    ]
    assert errors[1]["ref"] == "x" and [step["name"] for step in errors[1]["cycle"]] == ["X", "Y", "X"]


async def test_bulk_loops_among_new_items_are_named(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    loop = [
        {"ref": "x", "name": "X", "project_id": pid, "depends_on_refs": ["z"]},
        {"ref": "y", "name": "Y", "project_id": pid, "depends_on_refs": ["x"]},
        {"ref": "z", "name": "Z", "project_id": pid, "depends_on_refs": ["y"]},
    ]
    # a few items are checked one by one, many in one pass over the whole graph: the same answer
    chained = [
        {"ref": f"c{n}", "name": f"C{n}", "project_id": pid, "depends_on_refs": [f"c{n - 1}"]}
        for n in range(1, 21)
    ]
    chained[0]["depends_on_refs"] = []
    for items in (loop, [*chained, *loop]):
        body = await client.post(f"{API}/tasks/bulk", json={"items": items})
        assert body.status_code == 422, body.text
        [error] = body.json()["errors"]
        assert error["status"] == 409 and error["field"] == "depends" and error["index"] >= len(items) - 3
        assert {step["name"] for step in error["cycle"]} == {"X", "Y", "Z"}
    parents = [
        {"ref": "p", "name": "P", "parent_ref": "q"},
        {"ref": "q", "name": "Q", "parent_ref": "p"},
    ]
    body = await client.post(f"{API}/tasks/bulk", json={"items": parents})
    assert body.status_code == 422 and {e["field"] for e in body.json()["errors"]} == {"parent_ref"}


async def test_bulk_update_changes_many_tasks_in_one_transaction(catalog: Catalog) -> None:
    client = catalog.client
    pid = await project(client)
    created = (await ok(await client.post(f"{API}/tasks/bulk", json={"items": show(pid, shots=3)}), 201))[
        "items"
    ]
    tasks = [r for r in created if "/" in r["ref"]]
    changes = [{"id": r["id"], "priority": 700, "schedule_unit": "h"} for r in tasks]
    result = await ok(await client.patch(f"{API}/tasks/bulk", json={"items": changes}))
    assert result["count"] == 12 and all(r["revision"] == 2 for r in result["items"])
    listed = await ok(await client.get(f"{API}/tasks", params={"priority": 700, "limit": 50}))
    assert listed["total"] == 12 and {t["schedule_unit"] for t in listed["items"]} == {"h"}
    bad = [
        {"id": tasks[0]["id"], "name": "ok"},
        {"id": 999_999, "name": "x"},
        {"id": tasks[1]["id"], "schedule_model": "x"},
    ]
    body = await client.patch(f"{API}/tasks/bulk", json={"items": bad})
    assert body.status_code == 422
    assert [(e["index"], e["status"]) for e in body.json()["errors"]] == [(1, 404), (2, 422)]
    still = await ok(await client.get(f"{API}/tasks/{tasks[0]['id']}"))
    assert still["name"] == "previs"  # nothing was written
    updated = [e for e in await catalog.events() if e["type"] == "catalog.task.updated"]
    assert len(updated) == 12 and {e["payload"]["priority"] for e in updated} == {700}


@contextmanager
def counting(catalog: Catalog) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = catalog.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_listing_tasks_takes_the_same_number_of_statements_for_5_or_200(catalog: Catalog) -> None:
    client = catalog.client
    me = await ok(
        await client.post(
            f"{API}/users", json={"name": "Me", "login": "me", "email": "me@x.com", "password": "Tr0ub4dor&3"}
        ),
        201,
    )
    counts = []
    for code, size in (("SMALL", 5), ("LARGE", 200)):
        pid = await project(client, code)
        # a shot, and tasks under it that each depend on the one before and have a resource
        items: list[dict[str, Any]] = [{"ref": "shot", "kind": "shot", "code": "SH001", "project_id": pid}]
        for n in range(1, size):
            previous = [f"t{n - 1}"] if n > 1 else []
            task = {"ref": f"t{n}", "name": f"T{n}", "parent_ref": "shot", "depends_on_refs": previous}
            items.append({**task, "resource_ids": [me["id"]], "alternative_resource_ids": [me["id"]]})
        await ok(await client.post(f"{API}/tasks/bulk", json={"items": items}), 201)
        with counting(catalog) as statements:
            page = await ok(await client.get(f"{API}/tasks", params={"project_id": pid, "limit": 1000}))
        assert page["total"] == len(page["items"]) == size
        assert sum(1 for t in page["items"] if t["resource_ids"] == [me["id"]] and t["depends"]) == size - 2
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12
