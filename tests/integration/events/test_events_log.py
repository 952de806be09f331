"""The event log in both modes (SQLite and the in-process broker; PostgreSQL and RabbitMQ): every message
the three services publish is recorded once, a reader that stops and resumes by cursor sees each exactly
once, filters and membership scope what it sees, and a cursor behind retention is told so (410)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from stalker_events.service.retention import prune_before
from stalker_shared.db import utcnow

from support.served import ServedSystem, served_as_parametrized

pytestmark = pytest.mark.xdist_group("events_log")  # one worker: the module's two systems

C, E = "/catalog/v1", "/events/v1/events"


@pytest.fixture(scope="module", params=["embedded", "distributed"])
def system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedSystem]:
    with served_as_parametrized(request, tmp_path_factory.mktemp("events")) as served:
        yield served


@pytest.fixture(scope="module")
def admin(system: ServedSystem) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.base, headers=system.token_for("admin"), timeout=60) as client:
        yield client


def made(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def a_user(admin: httpx.Client) -> str:
    login = f"artist{uuid.uuid4().hex[:8]}"
    body = {"name": login, "login": login, "email": f"{login}@example.com", "password": "secret-enough"}
    made(admin.post(f"{C}/users", json=body))
    return login


def a_project(admin: httpx.Client, *, user_logins: tuple[str, ...] = ()) -> int:
    code = f"P{uuid.uuid4().hex[:6]}"
    ids = [admin.get(f"{C}/users", params={"login": login}).json()["items"][0]["id"] for login in user_logins]
    return int(made(admin.post(f"{C}/projects", json={"name": code, "code": code, "user_ids": ids}))["id"])


def read_all(client: httpx.Client, after: int | None, limit: int = 7, **params: Any) -> tuple[list[Any], int]:
    """Every page after the cursor, as a tool would read them; the items and the cursor to resume from."""
    items: list[dict[str, Any]] = []
    while True:
        query = {"limit": limit, **params} | ({} if after is None else {"after": after})
        page = client.get(E, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        assert body["next_after"] >= (after or 0)
        after = body["next_after"]
        if len(body["items"]) < limit:
            return items, after


def published(system: ServedSystem) -> set[str]:
    """The ids of every message the three producers' outboxes hold (their relays publish them all)."""

    async def ids() -> set[str]:
        found: set[str] = set()
        for name in ("catalog", "versions", "scheduler"):
            runtime = system.runtimes[name]
            async with runtime.sessionmaker() as session:
                outbox = runtime.definition.tables.outbox
                bodies = await session.scalars(select(outbox.c.body))
                found |= {json.loads(body)["message_id"] for body in bodies}
        return found

    return system.run(ids())


def until_recorded(
    system: ServedSystem, client: httpx.Client, after: int | None, earlier: frozenset[str] = frozenset()
) -> tuple[list[Any], int]:
    """Read on from `after` until every message published (but those `earlier`) is in what was read (the
    log trails the outboxes by a relay and a consumer); the items read and the cursor reached."""
    items: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while True:
        more, after = read_all(client, after)
        items += more
        missing = published(system) - earlier - {i["event_id"] for i in items}
        if not missing or time.monotonic() > deadline:
            assert not missing, (
                f"{len(missing)} published messages never reached the log ({len(items)} read, at {after})"
            )
            return items, after
        time.sleep(0.2)


def test_a_reader_stopped_and_resumed_sees_every_published_event_exactly_once(
    system: ServedSystem, admin: httpx.Client
) -> None:
    project = a_project(admin)
    tasks = [made(admin.post(f"{C}/tasks", json={"name": f"T{i}", "project_id": project})) for i in range(5)]
    first, cursor = until_recorded(system, admin, None)

    # Stopped; meanwhile the show goes on: edits, a deletion (whose event names only the task).
    for task in tasks[:3]:
        admin.patch(f"{C}/tasks/{task['id']}", json={"name": f"{task['name']} v2"})
    assert admin.delete(f"{C}/tasks/{tasks[4]['id']}").status_code == 204
    rest, _ = until_recorded(system, admin, cursor, frozenset(i["event_id"] for i in first))

    ids = [i["event_id"] for i in first + rest]
    assert len(ids) == len(set(ids)), "an event was read twice"
    assert set(ids) == published(system)
    cursors = [i["cursor"] for i in first + rest]
    assert cursors == sorted(cursors) and rest and min(i["cursor"] for i in rest) > cursor
    deleted = next(
        i for i in rest if i["type"] == "catalog.task.deleted" and i["data"]["id"] == tasks[4]["id"]
    )
    assert deleted["project_id"] == project, "a task's deletion belongs to its project"
    updated = [i for i in rest if i["type"] == "catalog.task.updated"]
    assert {i["data"]["name"] for i in updated} >= {f"T{n} v2" for n in range(3)}, "the full state is kept"


def test_a_member_reads_only_their_projects_and_the_admin_the_studios_own_too(
    system: ServedSystem, admin: httpx.Client
) -> None:
    artist = a_user(admin)
    theirs = a_project(admin, user_logins=(artist,))
    other = a_project(admin)
    for project in (theirs, other):
        made(admin.post(f"{C}/tasks", json={"name": "Layout", "project_id": project}))
    everything, _ = until_recorded(system, admin, None)
    assert {theirs, other, None} <= {i["project_id"] for i in everything}

    with httpx.Client(base_url=system.base, headers=system.token_for(artist), timeout=60) as client:
        seen, _ = read_all(client, None, limit=1000)
        assert seen and {i["project_id"] for i in seen} == {theirs}
        assert [i["event_id"] for i in seen] == [
            i["event_id"] for i in everything if i["project_id"] == theirs
        ]
        asked_for_other, cursor = read_all(client, None, project_id=other)
        assert asked_for_other == []
        # A member's cursor keeps up with the log past what they cannot see (else a stream would spin
        # and retention would answer them 410 for events they were never to see).
        _, head = read_all(admin, None, limit=1000)
        assert cursor == head


def test_type_patterns_filter_and_one_matching_nothing_is_a_422_naming_it(admin: httpx.Client) -> None:
    tasks, _ = read_all(admin, None, type=["catalog.task.*", "versions.#"])
    assert tasks and all(i["type"].startswith(("catalog.task.", "versions.")) for i in tasks)
    typo = admin.get(E, params={"type": "catalog.tsak.*"})
    assert typo.status_code == 422 and typo.json()["field"] == "type", typo.text
    known = admin.get("/events/v1/types").json()["types"]
    assert "catalog.task.deleted" in known and "versions.version.published" in known


def test_a_cursor_past_the_head_is_a_422_not_a_silent_skip(admin: httpx.Client) -> None:
    """A cursor this log never gave (another database's, a restored backup's) would pass over every event
    until the log caught up with it."""
    _, head = read_all(admin, None, limit=1000)
    assert admin.get(E, params={"after": head}).status_code == 200  # the head itself is a cursor it gave
    ahead = admin.get(E, params={"after": head + 1_000_000})
    assert ahead.status_code == 422 and ahead.json()["field"] == "after", ahead.text
    assert ahead.json()["head"] >= head
    stream = admin.get("/events/v1/stream", headers={"Last-Event-ID": str(head + 1_000_000)})
    assert stream.status_code == 422 and stream.json()["field"] == "after", stream.text


def test_a_cursor_behind_retention_is_410_and_cursors_are_never_reused(
    system: ServedSystem, admin: httpx.Client
) -> None:
    """Last in the module: it empties the log."""
    _, head = read_all(admin, None, limit=1000)
    events = system.runtimes["events"]
    assert system.run(prune_before(events.unit_of_work, utcnow() + timedelta(seconds=1))) > 0

    gone = admin.get(E, params={"after": 1})
    assert gone.status_code == 410 and gone.json()["field"] == "after", gone.text
    assert gone.json()["oldest_after"] >= head
    assert admin.get(E).json()["items"] == []

    earlier = frozenset(published(system))
    project = a_project(admin)
    later, _ = until_recorded(system, admin, None, earlier)
    assert later and min(i["cursor"] for i in later) > head, "a pruned log handed out a cursor again"
    assert any(i["project_id"] == project for i in later)
