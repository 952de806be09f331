"""Notes on projects, tasks, versions and reviews (both modes): any member who sees the target adds one,
viewers too; the author or a producer (or an admin) changes or deletes it, with If-Match; non-members get
404; bad input is a problem naming the field; events go through the outbox; notes go with their target;
the migration builds the tables the models describe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect
from test_catalog_version_mirror import deliver, version_created

from stalker_catalog.db.models import Review
from stalker_catalog.definition import catalog_definition
from stalker_shared.db import create_engine
from stalker_shared.migrations import alembic_config, upgrade_to_head
from stalker_shared.types import TEXT_MAX

from support.catalog import API, Catalog, ok, problem, project, task

NOTES = f"{API}/notes"
ROLES = ("viewer", "artist", "lead", "producer")


@dataclass
class Studio:
    """A project with one member per role, a stranger in none, a task, a review and a version of it."""

    catalog: Catalog
    headers: dict[str, dict[str, str]]
    users: dict[str, int]
    project_id: int
    task_id: int
    review_id: int
    version_id: int

    async def add(self, who: str, status: int = 201, **body: Any) -> dict[str, Any]:
        response = await self.catalog.client.post(NOTES, json=body, headers=self.headers[who])
        return dict(await ok(response, status))


async def studio(catalog: Catalog) -> Studio:
    client = catalog.client
    roles = {r["access"]: r["id"] for r in (await ok(await client.get(f"{API}/roles")))["items"]}
    project_id = await project(client, "NT")
    users, headers = {}, {"admin": {}}
    for who in (*ROLES, "stranger"):
        body = {"name": who, "login": who, "email": f"{who}@x.com", "password": "Tr0ub4dor&3"}
        users[who] = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
        headers[who] = await catalog.token_for(who)
        if who != "stranger":
            member = {"user_id": users[who], "role_id": roles[who]}
            await ok(await client.post(f"{API}/projects/{project_id}/users", json=member), 201)
    task_id = (await task(client, name="comp", project_id=project_id))["id"]
    async with catalog.runtime.sessionmaker() as session:
        review = Review(task_id=task_id, project_id=project_id, reviewer_id=users["lead"], review_number=1)
        session.add(review)
        await session.commit()
        review_id = review.id
    version_id = 2**40 + 7  # the versions service's keys are 64-bit
    await deliver(catalog, version_created(version_id, project_id, task_id))
    return Studio(catalog, headers, users, project_id, task_id, review_id, version_id)


async def test_members_note_each_target_and_list_them_newest_first(service: Catalog) -> None:
    world = await studio(service)
    client = service.client
    on_project = await world.add("viewer", text="Lovely\n\tbut darker, please", project_id=world.project_id)
    assert on_project["author_id"] == world.users["viewer"] and on_project["revision"] == 1
    assert (on_project["task_id"], on_project["version_id"], on_project["review_id"]) == (None, None, None)
    assert on_project["text"] == "Lovely\n\tbut darker, please"
    on_task = await world.add("artist", text="WIP up", task_id=world.task_id)
    on_version = await world.add("lead", text="v7 flickers", version_id=world.version_id)
    on_review = await world.add("producer", text="Approved with notes", review_id=world.review_id)
    # A version's or a review's note names its task and project too.
    assert (on_version["project_id"], on_version["task_id"], on_version["version_id"]) == (
        world.project_id,
        world.task_id,
        world.version_id,
    )
    assert (on_review["task_id"], on_review["review_id"]) == (world.task_id, world.review_id)

    listed = await ok(await client.get(NOTES, headers=world.headers["viewer"]))
    newest_first = [on_review["id"], on_version["id"], on_task["id"], on_project["id"]]
    assert [n["id"] for n in listed["items"]] == newest_first and listed["total"] == 4
    of_task = await ok(await client.get(NOTES, params={"task_id": world.task_id}))
    assert [n["id"] for n in of_task["items"]] == newest_first[:3]
    own = await ok(await client.get(f"{NOTES}?task_id={world.task_id}&version_id=null&review_id=null"))
    assert [n["id"] for n in own["items"]] == [on_task["id"]]
    for name, value, expected in (
        ("version_id", world.version_id, on_version),
        ("review_id", world.review_id, on_review),
        ("author_id", world.users["artist"], on_task),
        ("project_id", world.project_id, None),
    ):
        found = await ok(await client.get(NOTES, params={name: value}))
        assert [n["id"] for n in found["items"]] == ([expected["id"]] if expected else newest_first), name
    oldest = await ok(await client.get(NOTES, params={"sort": "created_at", "limit": 1, "offset": 1}))
    assert [n["id"] for n in oldest["items"]] == [on_task["id"]] and oldest["total"] == 4
    assert (await ok(await client.get(f"{NOTES}/{on_task['id']}"))) == on_task

    added = [e for e in await service.events() if e["type"] == "catalog.note.added"]
    assert [e["payload"]["id"] for e in added] == newest_first[::-1]
    assert added[2]["payload"] | {"created_at": None, "updated_at": None} == on_version | {
        "created_at": None,
        "updated_at": None,
    }


async def test_the_author_or_a_producer_changes_a_note_and_strangers_see_none(service: Catalog) -> None:
    world = await studio(service)
    client = service.client
    note = await world.add("viewer", text="Too blue", task_id=world.task_id)
    url = f"{NOTES}/{note['id']}"
    read = await client.get(url, headers=world.headers["viewer"])
    tag = read.headers["etag"]
    for who in ("artist", "lead"):
        refused = await problem(await client.patch(url, json={"text": "x"}, headers=world.headers[who]), 403)
        assert refused["operation"] == "note.edit.any" and refused["allowed_roles"] == ["producer"]
        assert (await client.delete(url, headers=world.headers[who])).status_code == 403
    for method in ("GET", "PATCH", "DELETE"):
        hidden = await client.request(
            method, url, json={"text": "x"} if method == "PATCH" else None, headers=world.headers["stranger"]
        )
        assert hidden.status_code == 404, method
    stranger_list = await ok(await client.get(NOTES, headers=world.headers["stranger"]))
    assert stranger_list["items"] == [] and stranger_list["total"] == 0
    for target in ("project_id", "task_id", "version_id", "review_id"):
        hidden_target = await world.add("stranger", 404, text="hi", **{target: getattr(world, target)})
        assert hidden_target["field"] == target

    own = await client.patch(
        url, json={"text": "Too blue, still"}, headers=world.headers["viewer"] | {"If-Match": tag}
    )
    assert own.status_code == 200 and own.json()["revision"] == 2 and own.json()["text"] == "Too blue, still"
    assert own.headers["etag"] != tag
    stale = await client.patch(
        url, json={"text": "late"}, headers=world.headers["producer"] | {"If-Match": tag}
    )
    assert (await problem(stale, 412))["etag"] == own.headers["etag"]
    by_producer = await client.patch(
        url,
        json={"text": "Fixed in v8"},
        headers=world.headers["producer"] | {"If-Match": own.headers["etag"]},
    )
    assert by_producer.status_code == 200 and by_producer.json()["author_id"] == world.users["viewer"]
    stale_delete = await client.delete(url, headers={"If-Match": own.headers["etag"]})  # the admin's
    assert stale_delete.status_code == 412
    assert (await client.delete(url, headers={"If-Match": by_producer.headers["etag"]})).status_code == 204
    assert (await client.get(url)).status_code == 404
    others = await world.add("lead", text="mine", project_id=world.project_id)
    assert (await client.delete(f"{NOTES}/{others['id']}", headers=world.headers["lead"])).status_code == 204

    events = [
        (e["type"], e["payload"]) for e in await service.events() if e["type"].startswith("catalog.note.")
    ]
    assert [(kind, payload["id"], payload["revision"]) for kind, payload in events] == [
        ("catalog.note.added", note["id"], 1),
        ("catalog.note.updated", note["id"], 2),
        ("catalog.note.updated", note["id"], 3),
        ("catalog.note.deleted", note["id"], 4),
        ("catalog.note.added", others["id"], 1),
        ("catalog.note.deleted", others["id"], 2),
    ]
    assert events[3][1] == {"id": note["id"], "revision": 4, "project_id": world.project_id}
    assert events[2][1]["text"] == "Fixed in v8"


async def test_bad_input_is_a_problem_naming_the_field(service: Catalog) -> None:
    world = await studio(service)
    client = service.client
    unknown_version = await world.add("viewer", 404, text="x", version_id=2**62)
    assert unknown_version["field"] == "version_id" and "has not heard of it" in unknown_version["detail"]
    for field, value in (("task_id", 999_999), ("review_id", 999_999), ("project_id", 999_999)):
        assert (await world.add("admin", 404, text="x", **{field: value}))["field"] == field
    assert (await world.add("admin", 422, text="x"))["field"] == "project_id"
    two = await world.add("admin", 422, text="x", project_id=world.project_id, task_id=world.task_id)
    assert two["field"] == "task_id" and "exactly one" in two["detail"]
    for body in (
        {"text": "", "task_id": world.task_id},
        {"text": "   ", "task_id": world.task_id},
        {"text": "a" * (TEXT_MAX + 1), "task_id": world.task_id},
        {"text": "bell\x07", "task_id": world.task_id},
        {"text": "nul\x00", "task_id": world.task_id},
        {"text": "x", "task_id": 2**31},
        {"text": "x", "version_id": 2**63},
        {"text": "x", "task_id": world.task_id, "author_id": 1},
    ):
        response = await client.post(NOTES, json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await world.add("admin", text="a" * TEXT_MAX, task_id=world.task_id))["text"] == "a" * TEXT_MAX
    note = await world.add("admin", text="x", task_id=world.task_id)
    for patch in ({}, {"text": ""}, {"text": "x", "task_id": 1}, {"text": "\x1b[31m"}):
        assert (await client.patch(f"{NOTES}/{note['id']}", json=patch)).status_code == 422, patch
    for query in ("version_id=9223372036854775808", "colour=red", "sort=text", "author_id=abc"):
        assert (await client.get(f"{NOTES}?{query}")).status_code == 422, query
    assert (await ok(await client.get(f"{NOTES}?version_id={2**62}")))["items"] == []
    assert (await client.get(f"{NOTES}/{2**31}")).status_code == 422


async def test_notes_go_with_their_task_review_or_project(service: Catalog) -> None:
    world = await studio(service)
    client = service.client
    for target in ("task_id", "version_id", "review_id"):
        await world.add("artist", text=target, **{target: getattr(world, target)})
    kept = await world.add("artist", text="on the project", project_id=world.project_id)
    assert (await client.delete(f"{API}/tasks/{world.task_id}")).status_code == 204
    left = await ok(await client.get(NOTES))
    assert [n["id"] for n in left["items"]] == [kept["id"]]
    # The version is still known (the versions service has not said it is gone), its task is not.
    gone = await world.add("artist", 404, text="late", version_id=world.version_id)
    assert gone["field"] == "version_id"
    assert (await client.delete(f"{API}/projects/{world.project_id}")).status_code == 204
    assert (await ok(await client.get(NOTES)))["total"] == 0


async def test_a_note_on_a_version_of_another_project_is_not_found(service: Catalog) -> None:
    world = await studio(service)
    other = await project(service.client, "OTH")
    other_task = (await task(service.client, name="fx", project_id=other))["id"]
    await deliver(service, version_created(5, other, other_task))
    hidden = await world.add("producer", 404, text="x", version_id=5)
    assert hidden["field"] == "version_id"
    assert (await world.add("admin", text="x", version_id=5))["project_id"] == other


def _note_tables(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) in ("note", "known_version")


def _differences(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _note_tables}
    )
    return list(compare_metadata(context, metadata))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    return str(request.getfixturevalue("pg_database"))


async def test_the_migration_builds_the_tables_the_models_describe(database_url: str) -> None:
    definition = catalog_definition()
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine, definition.migrations)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences, definition.metadata) == []

        def down_and_up(connection: Connection) -> None:
            config = alembic_config(definition.migrations)
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
            assert not {"note", "known_version"} & set(inspect(connection).get_table_names())
            command.upgrade(config, "head")

        async with engine.begin() as connection:
            await connection.run_sync(down_and_up)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences, definition.metadata) == []
    finally:
        await engine.dispose()
