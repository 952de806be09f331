"""The ETags this client has seen, so that an update says which state it changes (`If-Match`).

The APIs answer one item's GET, POST (create) and PATCH/PUT (update) with the item's ETag. The session
remembers the last one per item; an update of that item sends it back, and the server refuses the update
with 412 (PreconditionFailed) if someone changed the item since: read it again and retry. An item this
client never read is updated without a condition (the last write wins). A write of the client's own to an
item's relations (`/tasks/9/resources`) or its deletion forgets the item's tag, as the write changed it.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from urllib.parse import urlsplit

import httpx

# The kinds of node are tasks: /shots/9 and /tasks/9 are one item with one ETag.
_NODE = re.compile(r"^(?P<base>.*/catalog/v1)/(?:sequences|shots|assets|scenes)/(?P<id>\d+)$")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SeenTags:
    """The last ETag seen per item path, the most recent `limit` of them."""

    def __init__(self, limit: int = 10_000) -> None:
        self._tags: OrderedDict[str, str] = OrderedDict()
        self._limit = limit

    def if_match(self, path: str) -> dict[str, str]:
        """The If-Match header for an update of the item at `path`: none if it was never read."""
        tag = self._tags.get(_item(path))
        return {"If-Match": tag} if tag else {}

    def saw(self, method: str, path: str, response: httpx.Response) -> None:
        """Remember the ETag a response carries; forget what a write of this client made stale (a
        refused write changed nothing: its stale tag stays, so a retry without reading again fails too)."""
        if not response.is_success:
            return
        if method in _WRITES:
            self._forget_above(path)
        tag = response.headers.get("etag")
        if not tag:
            return
        if method == "POST":
            item = _created(path, response)
            if item is not None:
                self._remember(item, tag)
        elif method in ("GET", "PATCH", "PUT"):
            self._remember(path, tag)

    def _remember(self, path: str, tag: str) -> None:
        key = _item(path)
        self._tags[key] = tag
        self._tags.move_to_end(key)
        while len(self._tags) > self._limit:
            self._tags.popitem(last=False)

    def _forget_above(self, path: str) -> None:
        key = _item(path)
        while key.count("/") > 1:
            self._tags.pop(key, None)
            key = _item(key.rsplit("/", 1)[0])


def _item(path: str) -> str:
    path = path.rstrip("/")
    node = _NODE.match(path)
    return f"{node['base']}/tasks/{node['id']}" if node else path


def _created(path: str, response: httpx.Response) -> str | None:
    """The new item's path: its Location, else the collection's path and the id in the body."""
    location = response.headers.get("location")
    if location:
        return str(urlsplit(location).path)
    try:
        created = response.json()
    except ValueError:
        return None
    item_id = created.get("id") if isinstance(created, dict) else None
    return f"{path.rstrip('/')}/{item_id}" if isinstance(item_id, int) else None
