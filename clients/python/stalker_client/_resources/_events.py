"""The event log: what changed in the system, in order, read by cursor (`list`, `iter`) or live over
Server-Sent Events (`stream`). Type patterns use AMQP topic syntax: `*` one word, `#` any number of words
(`catalog.task.*`, `versions.#`)."""

from __future__ import annotations

import builtins
import time
from collections.abc import Generator, Iterable
from contextlib import closing
from urllib.parse import urlencode

import httpx
from httpx_sse import SSEError

from stalker_client._errors import ConnectionFailed
from stalker_client._event_models import Event, EventPage
from stalker_client._http import Session

EVENTS = "/events/v1"
PAGE_SIZE = 1000  # the most the log answers in one page
# The server sends a keep-alive comment every 15 s: a silence three times as long is a dead connection.
STREAM_SILENCE_SECONDS = 45.0
# A stream reconnects at once after the server ends it (its token expired); after a failure it waits,
# twice as long each time up to the most, and gives up after this many failures in a row.
RECONNECT_SECONDS, RECONNECT_MOST_SECONDS, RECONNECT_ATTEMPTS = 0.5, 10.0, 8


def _query(after: int | None, types: Iterable[str], project_ids: Iterable[int], **more: int) -> str:
    """The query string: `type` and `project_id` repeated once per value, as the API reads them."""
    pairs: list[tuple[str, str | int]] = [("type", t) for t in types]
    pairs += [("project_id", p) for p in project_ids]
    if after is not None:
        pairs.append(("after", after))
    pairs += list(more.items())
    return urlencode(pairs)


class Events:
    """The log of events this caller may see (their projects' and, for admins, the studio's own).

    >>> for event in client.events.iter(types=["catalog.task.*"], follow=True):
    ...     print(event.cursor, event.type, event.data["name"])
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def types(self) -> builtins.list[str]:
        """Every event type the log records (what `types=` patterns match)."""
        return [str(t) for t in self._session.request("GET", f"{EVENTS}/types")["types"]]

    def list(
        self,
        after: int | None = None,
        types: Iterable[str] = (),
        project_ids: Iterable[int] = (),
        limit: int = 100,
    ) -> EventPage:
        """One page of the events after cursor `after` (None: from the oldest one kept). A cursor older than
        what retention kept is a CursorExpired (its `oldest_after` says where to resume); a pattern that
        matches no type is a ValidationError naming `type`."""
        query = _query(after, types, project_ids, limit=limit)
        body = self._session.request("GET", f"{EVENTS}/events?{query}")
        return EventPage(
            items=[Event.model_validate(item) for item in body["items"]],
            next_after=int(body["next_after"]),
            limit=int(body["limit"]),
        )

    def iter(
        self,
        after: int | None = None,
        types: Iterable[str] = (),
        project_ids: Iterable[int] = (),
        follow: bool = False,
        poll_seconds: float = 1.0,
    ) -> Generator[Event, None, None]:
        """Every event after `after`, page after page, until the log's end; with `follow`, then every new
        one as it comes (asking again each `poll_seconds`), for ever. Each event once, none skipped."""
        types, project_ids = tuple(types), tuple(project_ids)
        cursor = after
        while True:
            page = self.list(cursor, types, project_ids, limit=PAGE_SIZE)
            yield from page.items
            cursor = page.next_after  # past the events the filters passed over too
            if page.caught_up:
                if not follow:
                    return
                time.sleep(poll_seconds)

    def stream(
        self, after: int | None = None, types: Iterable[str] = (), project_ids: Iterable[int] = ()
    ) -> Generator[Event, None, None]:
        """The events after `after` and then live ones as they are recorded, over Server-Sent Events, for
        ever. A dropped connection, or the server ending the stream when the token expires, is resumed
        after the last event given (`Last-Event-ID`) with a renewed token: each event once, none skipped.
        An answer refusing the stream raises at once (ValidationError for a bad pattern, CursorExpired...);
        so does a connection failing RECONNECT_ATTEMPTS times in a row (ConnectionFailed).

        Stop by leaving the loop; `close()` the generator to close the connection at once."""
        path = f"{EVENTS}/stream?{_query(None, types, project_ids)}"
        last, failures = after, 0
        while True:
            try:
                with closing(self._connection(path, last)) as events:
                    for event in events:
                        failures = 0
                        last = event.cursor
                        yield event
                continue  # the server ended the stream (the token expired): reconnect with a fresh one
            except (ConnectionFailed, httpx.TransportError) as dropped:
                failures += 1
                if failures >= RECONNECT_ATTEMPTS:
                    raise _gave_up(self._session.base_url, failures, dropped) from dropped
            time.sleep(min(RECONNECT_SECONDS * 2 ** (failures - 1), RECONNECT_MOST_SECONDS))

    def _connection(self, path: str, last: int | None) -> Generator[Event, None, None]:
        """The events of one connection, until the server ends it."""
        headers = {"Last-Event-ID": str(last)} if last is not None else {}
        with self._session.event_source(path, headers=headers, read_timeout=STREAM_SILENCE_SECONDS) as source:
            for sse in source.iter_sse():
                if sse.data:  # an event without data is no log entry
                    yield Event.model_validate_json(sse.data)


def _gave_up(base_url: str, failures: int, dropped: Exception) -> ConnectionFailed:
    if isinstance(dropped, ConnectionFailed):
        return dropped
    kind = "a malformed stream" if isinstance(dropped, SSEError) else type(dropped).__name__
    return ConnectionFailed(
        f"the event stream from {base_url} failed {failures} times in a row: {kind}: {dropped}",
        title="No connection",
    )
