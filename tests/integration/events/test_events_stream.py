"""The live stream (Server-Sent Events) on a served system: events arrive as they are recorded, a
reconnect with Last-Event-ID resumes with neither gap nor duplicate, a member's stream carries only their
projects, a caller holds at most a few streams, and a stream ends when its token does."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse

from stalker_shared.auth import Principal, issue_token

from support.served import ServedSystem, served_system

pytestmark = pytest.mark.xdist_group("events_stream")

C, STREAM = "/catalog/v1", "/events/v1/stream"
WAIT = 20.0  # seconds an expected event may take; never reached when things work


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSystem]:
    with served_system("embedded", tmp_path_factory.mktemp("stream")) as served:
        yield served


@pytest.fixture(scope="module")
def admin(system: ServedSystem) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.base, headers=system.token_for("admin"), timeout=30) as client:
        yield client


def head(client: httpx.Client) -> int:
    cursor = 0
    while True:
        page = client.get("/events/v1/events", params={"after": cursor, "limit": 1000}).json()
        cursor = page["next_after"]
        if len(page["items"]) < 1000:
            return int(cursor)


class Listener:
    """A stream read on a thread of its own into a queue, so a test can wait for what it expects."""

    def __init__(self, base: str, headers: dict[str, str], **params: Any) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.ended = threading.Event()
        self.status = 0
        self._response: httpx.Response | None = None
        self._client = httpx.Client(base_url=base, headers=headers, timeout=httpx.Timeout(30, read=60))
        self._params = params
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            with connect_sse(self._client, "GET", STREAM, params=self._params) as source:
                self._response, self.status = source.response, source.response.status_code
                if self.status != 200:
                    return
                for sse in source.iter_sse():
                    self.events.put(sse.json() | {"sse_id": sse.id, "sse_event": sse.event})
        except httpx.HTTPError:
            pass  # closed by the test
        finally:
            self.ended.set()

    def take(self, count: int) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT
        return [self.events.get(timeout=max(0.0, deadline - time.monotonic())) for _ in range(count)]

    def close(self) -> None:
        """Shut the connection's socket, which wakes the reading thread at once (closing the client
        would not interrupt its blocked read)."""
        if self._response is not None:
            connection = self._response.extensions["network_stream"].get_extra_info("socket")
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._client.close()


def made(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def a_project(admin: httpx.Client, user_ids: list[int] | None = None) -> int:
    code = f"S{uuid.uuid4().hex[:6]}"
    body = {"name": code, "code": code, "user_ids": user_ids or []}
    return int(made(admin.post(f"{C}/projects", json=body))["id"])


def test_events_arrive_live_and_a_reconnect_resumes_without_gap_or_duplicate(
    system: ServedSystem, admin: httpx.Client
) -> None:
    listener = Listener(system.base, dict(admin.headers), after=head(admin), type="catalog.task.*")
    try:
        project = a_project(admin)
        names = [f"Shot{n}" for n in range(4)]
        for name in names:
            made(admin.post(f"{C}/tasks", json={"name": name, "project_id": project}))
        live = listener.take(4)
    finally:
        listener.close()
    assert [e["data"]["name"] for e in live] == names
    assert all(e["sse_event"] == "catalog.task.created" and e["sse_id"] == str(e["cursor"]) for e in live)

    headers = dict(admin.headers) | {"Last-Event-ID": live[1]["sse_id"]}
    again = Listener(system.base, headers, type="catalog.task.*")
    try:
        resumed = again.take(2)
    finally:
        again.close()
    assert [e["event_id"] for e in resumed] == [e["event_id"] for e in live[2:]]


def test_a_members_stream_carries_only_their_projects(system: ServedSystem, admin: httpx.Client) -> None:
    login = a_user(admin)
    artist = admin.get(f"{C}/users", params={"login": login}).json()["items"][0]
    theirs, other = a_project(admin, [artist["id"]]), a_project(admin)
    listener = Listener(system.base, system.token_for(login), after=head(admin), type="catalog.task.*")
    try:
        made(admin.post(f"{C}/tasks", json={"name": "Not theirs", "project_id": other}))
        made(admin.post(f"{C}/tasks", json={"name": "Theirs", "project_id": theirs}))
        (first,) = listener.take(1)
    finally:
        listener.close()
    assert first["project_id"] == theirs and first["data"]["name"] == "Theirs"


def a_user(admin: httpx.Client) -> str:
    login = f"artist{uuid.uuid4().hex[:8]}"
    body = {"name": login, "login": login, "email": f"{login}@example.com", "password": "secret-enough"}
    made(admin.post(f"{C}/users", json=body))
    return login


@pytest.mark.parametrize("junk", ["abc", "-1", "\u00b2", "9" * 40])
def test_a_last_event_id_that_is_no_cursor_is_a_422_naming_it(admin: httpx.Client, junk: str) -> None:
    refused = admin.get(STREAM, headers={"Last-Event-ID": junk.encode()})
    assert refused.status_code == 422, refused.text
    body = refused.json()
    named = [body.get("field")] + [e["field"] for e in body.get("errors", [])]
    assert any(n and n.lower().endswith("last-event-id") for n in named), body


def test_a_caller_holds_at_most_five_streams(system: ServedSystem, admin: httpx.Client) -> None:
    headers = system.token_for(a_user(admin))
    listeners = [Listener(system.base, headers, type="catalog.project.*") for _ in range(5)]
    try:
        deadline = time.monotonic() + WAIT
        while any(listener.status != 200 for listener in listeners) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [listener.status for listener in listeners] == [200] * 5
        refused = httpx.get(f"{system.base}{STREAM}", headers=headers)
        assert refused.status_code == 429 and "Retry-After" in refused.headers, refused.text
    finally:
        for listener in listeners:
            listener.close()


def test_a_stream_ends_when_its_token_expires(system: ServedSystem) -> None:
    catalog = system.runtimes["catalog"]
    assert catalog.keys.private_pem is not None
    token = issue_token(catalog.keys.private_pem, Principal(1, "admin", True), timedelta(seconds=3))
    listener = Listener(system.base, {"Authorization": f"Bearer {token}"}, type="catalog.project.*")
    try:
        assert listener.ended.wait(WAIT), "the stream outlived its token"
    finally:
        listener.close()
