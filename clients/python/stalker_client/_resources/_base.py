"""What every collection of the APIs shares: get, list with filters, iterate, update, delete."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Generic

from stalker_client._http import Session
from stalker_client._model import M, Page

PAGE_SIZE = 500


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601 (give them a time zone), durations as days, the rest as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value / timedelta(days=1)
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def body_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A request body from keyword arguments: arguments left at None are not sent."""
    return {k: jsonable(v) for k, v in fields.items() if v is not None}


class Resource(Generic[M]):
    """A collection at `path` (e.g. /catalog/v1/users) whose items are `model`s.

    Lists take the APIs' filters as keyword arguments: `code="SH001"`, `code__in=["SH001", "SH002"]`,
    `name__contains="shot"`, plus `sort`, `limit`, `offset` and `fields`. The server filters; an unknown
    field is its ValidationError naming the field.
    """

    path: str
    model: type[M]

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, id: int) -> M:
        return self.model.model_validate(self._session.request("GET", f"{self.path}/{id}"))

    def list(self, **filters: Any) -> Page[M]:
        body = self._session.request("GET", self.path, params=filters)
        return Page(
            items=[self.model.model_validate(item) for item in body["items"]],
            total=int(body["total"]),
            limit=int(body["limit"]),
            offset=int(body["offset"]),
        )

    def iterate(self, **filters: Any) -> Iterator[M]:
        """Every match, page after page."""
        offset = int(filters.pop("offset", 0))
        limit = int(filters.pop("limit", PAGE_SIZE))
        while True:
            page = self.list(**filters, limit=limit, offset=offset)
            yield from page.items
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    def all(self, **filters: Any) -> builtins.list[M]:
        return list(self.iterate(**filters))

    def first(self, **filters: Any) -> M | None:
        """The first match or None (the tutorial's `Shot.query.filter_by(code="SH005").first()`)."""
        return self.list(**filters, limit=1).first()

    def update(self, id: int, **changes: Any) -> M:
        """Change the fields given (PATCH); pass None to clear a field that may be cleared. If this client
        read the object, the update holds only if nobody changed it since (else PreconditionFailed)."""
        path = f"{self.path}/{id}"
        answer = self._session.request(
            "PATCH", path, json=jsonable(changes), headers=self._session.etags.if_match(path)
        )
        return self.model.model_validate(answer)

    def delete(self, id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{id}")

    def _create(self, fields: Mapping[str, Any]) -> M:
        return self.model.model_validate(self._session.request("POST", self.path, json=body_of(fields)))
