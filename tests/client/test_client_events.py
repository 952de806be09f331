"""The event log through the client: `list` and `iter` read every event once, in cursor order, and resume
from a cursor; `stream` yields live events over Server-Sent Events and resumes after the last one given
(`Last-Event-ID`) when the connection drops or the server ends it; refusals are the usual exceptions."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from stalker_client import CursorExpired, Event, Stalker, ValidationError
from stalker_client._resources import _events

TIMEOUT = 30.0  # events reach the log through the broker: seconds, not minutes


def wait_for(read: Callable[[], list[Event]], done: Callable[[list[Event]], bool]) -> list[Event]:
    """Read until `done` holds (the log records events a moment after the change), else fail."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        events = read()
        if done(events):
            return events
        assert time.monotonic() < deadline, f"the log never caught up: {[e.type for e in events]}"
        time.sleep(0.1)


def take(events: Iterator[Event], count: int) -> list[Event]:
    """The next `count` events, read in a thread so that a test cannot hang on a silent stream."""
    taken: queue.Queue[Event | BaseException] = queue.Queue()

    def read() -> None:
        try:
            for _ in range(count):
                taken.put(next(events))
        except BaseException as failed:  # handed to the test, which raises it
            taken.put(failed)

    threading.Thread(target=read, daemon=True).start()
    got: list[Event] = []
    for _ in range(count):
        item = taken.get(timeout=TIMEOUT)
        if isinstance(item, BaseException):
            raise item
        got.append(item)
    return got


def created_tasks(events: list[Event]) -> list[str]:
    return [e.data["name"] for e in events if e.type == "catalog.task.created"]


@pytest.fixture
def project_id(admin: Stalker, unique: str) -> int:
    return admin.projects.create(name=f"Events {unique}", code=f"EV{unique}").id


def test_types_are_what_patterns_match(admin: Stalker) -> None:
    types = admin.events.types()
    assert "catalog.task.created" in types and len(types) == len(set(types))


def test_iter_reads_every_event_once_in_cursor_order_and_resumes_from_a_cursor(
    admin: Stalker, project_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a", "b", "c"):
        admin.tasks.create(name=name, project_id=project_id)
    mine: dict[str, Any] = {"project_ids": [project_id]}
    logged = wait_for(lambda: list(admin.events.iter(**mine)), lambda e: len(created_tasks(e)) == 3)
    cursors = [e.cursor for e in logged]
    assert cursors == sorted(set(cursors)) and len({e.event_id for e in logged}) == len(logged)
    assert created_tasks(logged) == ["a", "b", "c"]
    assert {e.project_id for e in logged} == {project_id}

    monkeypatch.setattr(_events, "PAGE_SIZE", 2)  # many pages: none may repeat or skip an event
    assert list(admin.events.iter(**mine)) == logged
    assert list(admin.events.iter(after=logged[1].cursor, **mine)) == logged[2:]

    page = admin.events.list(types=["catalog.task.*"], limit=2, **mine)
    assert created_tasks(page.items) == ["a", "b"] and not page.caught_up
    rest = admin.events.list(after=page.next_after, types=["catalog.task.created"], **mine)
    assert created_tasks(rest.items) == ["c"] and rest.caught_up and rest.next_after >= rest.items[-1].cursor


def test_iter_follows_new_events(admin: Stalker, project_id: int) -> None:
    following = admin.events.iter(
        types=["catalog.task.created"], project_ids=[project_id], follow=True, poll_seconds=0.1
    )
    try:
        admin.tasks.create(name="first", project_id=project_id)
        assert [e.data["name"] for e in take(following, 1)] == ["first"]
        admin.tasks.create(name="second", project_id=project_id)
        assert [e.data["name"] for e in take(following, 1)] == ["second"]
    finally:
        following.close()


def test_stream_yields_live_events_and_resumes_after_a_cursor(admin: Stalker, project_id: int) -> None:
    mine: dict[str, Any] = {"types": ["catalog.task.created"], "project_ids": [project_id]}
    live = admin.events.stream(**mine)
    try:
        threading.Timer(0.5, lambda: admin.tasks.create(name="one", project_id=project_id)).start()
        first = take(live, 1)
        admin.tasks.create(name="two", project_id=project_id)
        second = take(live, 1)
    finally:
        live.close()
    assert [e.data["name"] for e in first + second] == ["one", "two"]
    assert first[0].cursor < second[0].cursor

    resumed = admin.events.stream(after=first[0].cursor, **mine)
    try:
        assert take(resumed, 1) == second
    finally:
        resumed.close()


def test_leaving_the_loop_closes_the_stream(admin: Stalker) -> None:
    for _ in range(7):  # more than the streams a user may hold open at once (5)
        for _event in admin.events.stream():
            break


@pytest.mark.parametrize("read", ["list", "iter", "stream"])
def test_a_pattern_that_matches_no_type_is_a_validation_error_naming_type(admin: Stalker, read: str) -> None:
    reader = getattr(admin.events, read)
    with pytest.raises(ValidationError) as refused:
        next(iter(reader(types=["nope.nothing"])))
    assert refused.value.field == "type" and refused.value.status == 422


# Without a server: how the stream reconnects, renews its token and reports an expired cursor.


def sse(*cursors: int) -> bytes:
    blocks = [f"id: {c}\nevent: catalog.task.updated\ndata: {event_json(c)}\n\n" for c in cursors]
    return b": keep-alive\n\n" + "".join(blocks).encode()


def event_json(cursor: int) -> str:
    return (
        f'{{"cursor": {cursor}, "event_id": "00000000-0000-0000-0000-{cursor:012d}", '
        '"type": "catalog.task.updated", "version": 1, "producer": "catalog", '
        '"occurred_at": "2025-01-06T09:00:00Z", "recorded_at": "2025-01-06T09:00:01Z", '
        '"correlation_id": "c", "causation_id": null, "project_id": 1, "data": {"id": 9, "name": "comp"}}'
    )


class Dropping(httpx.SyncByteStream):
    """A stream that sends its bytes, then fails as a dropped connection does; records its closing."""

    def __init__(self, sent: bytes, closed: list[bool]) -> None:
        self._sent, self._closed = sent, closed

    def __iter__(self) -> Iterator[bytes]:
        yield self._sent
        raise httpx.RemoteProtocolError("peer closed connection")

    def close(self) -> None:
        self._closed.append(True)


def streaming(body: bytes | httpx.SyncByteStream) -> httpx.Response:
    headers = {"content-type": "text/event-stream"}
    if isinstance(body, bytes):
        return httpx.Response(200, headers=headers, content=body)
    return httpx.Response(200, headers=headers, stream=body)


def test_stream_reconnects_with_last_event_id_and_a_renewed_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_events, "RECONNECT_SECONDS", 0.0)
    seen: list[tuple[str | None, str | None]] = []
    closed: list[bool] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/refresh"):
            return httpx.Response(200, json={"access_token": "fresh", "refresh_token": "r2"})
        seen.append((request.headers.get("Last-Event-ID"), request.headers.get("Authorization")))
        assert request.url.params.get_list("type") == ["catalog.task.*", "versions.#"]
        if len(seen) == 1:
            return streaming(sse(1, 2))  # then the server ends it: the token expired
        if len(seen) == 2:
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401, "detail": "expired"})
        if len(seen) == 3:
            return streaming(Dropping(sse(3), closed))
        return streaming(sse(4))

    client = Stalker(
        "http://stalker.test", token="old", refresh_token="r1", transport=httpx.MockTransport(answer)
    )
    events = client.events.stream(types=["catalog.task.*", "versions.#"])
    assert [next(events).cursor for _ in range(4)] == [1, 2, 3, 4]
    events.close()
    assert seen == [
        (None, "Bearer old"),
        ("2", "Bearer old"),
        ("2", "Bearer fresh"),
        ("3", "Bearer fresh"),
    ]
    assert closed and client.token == "fresh"


def test_leaving_a_stream_closes_its_connection() -> None:
    closed: list[bool] = []
    transport = httpx.MockTransport(lambda request: streaming(Dropping(sse(1, 2), closed)))
    client = Stalker("http://stalker.test", token="t", transport=transport)
    for event in client.events.stream():
        assert event.cursor == 1 and not closed
        break
    assert closed


def test_an_expired_cursor_says_where_the_log_resumes() -> None:
    problem = {
        "title": "Gone",
        "status": 410,
        "detail": "events up to cursor 50 were deleted by retention; resume from 50",
        "field": "after",
        "oldest_after": 50,
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(410, json=problem))
    client = Stalker("http://stalker.test", token="t", transport=transport)
    for read in (lambda: client.events.list(after=3), lambda: next(client.events.stream(after=3))):
        with pytest.raises(CursorExpired) as expired:
            read()
        assert (expired.value.field, expired.value.oldest_after) == ("after", 50)
