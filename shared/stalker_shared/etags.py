"""Optimistic concurrency for single resources: an `ETag` on what a client reads, `If-Match` on what it
writes (RFC 9110, sections 8.8.3 and 13.1.1).

A resource's ETag is a strong validator of its stored revision: every aggregate's `revision` moves on with
each change to it, its relations included (the handlers `touch` a row whose links changed), so the tag is
the revision plus a digest of the row's creation time (an id SQLite might hand out again never matches an
old tag). A state without a revision is tagged by the digest of its canonical JSON. Reading routes tag the
read model they answer with; writing routes check the state they are about to change.

The check runs in the request's one unit of work, on the row as locked for the write: `check` is given a
function that takes the lock the handler takes (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the write
transaction itself is serialized) and reads the state under it. A concurrent writer has therefore either
committed before (the tag no longer matches: 412, nothing written) or waits until this request commits.
Without If-Match, or with `If-Match: *`, nothing is checked: the last write wins, as before.
"""

# No `from __future__ import annotations` here: FastAPI reads the Annotated aliases at runtime.

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from stalker_shared.errors import DomainError, NotFound
from stalker_shared.repository import label

T = TypeVar("T")

# One entity-tag of an If-Match list: optionally weak (W/), then a quoted opaque tag.
_TAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')


@dataclass(frozen=True)
class Revision:
    """A state known by its revision alone, as a read model without a creation time shows it."""

    revision: int


class PreconditionFailed(DomainError):
    """The resource changed since the client read it (412); `etag` is its current tag."""

    http_status = 412


def etag_of(state: Any) -> str:
    """The strong ETag of a state: a read model, an ORM row or a row of columns with `revision` (and
    `created_at` when it has one), else a read model without a revision, by its canonical JSON."""
    revision = getattr(state, "revision", None)
    if isinstance(revision, int):
        created = getattr(state, "created_at", None)
        if not isinstance(created, datetime):
            return f'"{revision}"'
        return f'"{revision}-{_digest(created.isoformat())[:12]}"'
    if isinstance(state, BaseModel):
        canonical = json.dumps(
            state.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return f'"{_digest(canonical)[:32]}"'
    raise TypeError(f"no ETag for {type(state).__name__}: it has no revision and is not a read model")


def parse_if_match(value: str | None) -> tuple[str, ...] | None:
    """The strong tags an If-Match lists; None when there is no condition (absent or `*`). A weak tag
    never matches (If-Match compares strongly); a bare token is taken as the tag a client forgot to quote."""
    if value is None or not value.strip() or value.strip() == "*":
        return None
    tags, position = [], 0
    while position < len(value):
        found = _TAG.match(value, position)
        if found is None:  # not a list of quoted tags: the comma-separated tokens, quoted
            return tuple(f'"{token.strip().strip(chr(34))}"' for token in value.split(",") if token.strip())
        if not found.group(1):
            tags.append(found.group(2))
        position = found.end()
    return tuple(tags)


class Preconditions:
    """A request's If-Match, and its response's ETag header."""

    def __init__(self, response: Response, if_match: str | None = None) -> None:
        self._response = response
        self._header = if_match
        self._tags = parse_if_match(if_match)

    def tag(self, state: T) -> T:
        """Put the state's ETag on the response; returns the state (`return etag.tag(read)`)."""
        self._response.headers["ETag"] = etag_of(state)
        return state

    async def check(self, current: Callable[[], Awaitable[Any]]) -> None:
        """Refuse the write (412) unless the state `current` reads under the write's lock still has a tag
        the request's If-Match lists; without a condition `current` is not even called."""
        if self._tags is not None:
            self.require(await current())

    def require(self, state: Any) -> None:
        """`check` for a state already read under the write's lock (None: there is none yet)."""
        if self._tags is None:
            return
        if state is None:
            raise PreconditionFailed(
                f"If-Match {self._header.strip() if self._header else ''}: there is nothing to match yet"
            )
        now = etag_of(state)
        if now not in self._tags:
            raise PreconditionFailed(
                f"If-Match {self._header.strip() if self._header else ''} does not match the current "
                f"ETag {now}: it was changed since you read it; read it again and retry",
                etag=now,
            )


async def stored_revision(
    session: AsyncSession, model: type[DeclarativeBase], entity_id: int, *where: Any
) -> Any:
    """What a row's ETag is made of (its revision and creation time), read without loading the entity
    (so a handler that writes with Core statements reads it back fresh); NotFound when missing."""
    mapper = model.__mapper__
    columns = [mapper.attrs[name].class_attribute for name in ("revision", "created_at")]
    statement = select(*columns).where(mapper.primary_key[0] == entity_id, *where)
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise NotFound(f"no {label(model)} with id {entity_id}")
    return row


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _preconditions(
    response: Response,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The ETag you read: the write is refused with 412 if the resource has changed "
            "since. `*` or none: no check (the last write wins)",
        ),
    ] = None,
) -> Preconditions:
    return Preconditions(response, if_match)


def _tagging(response: Response) -> Preconditions:
    return Preconditions(response)


# Writing routes (PATCH, PUT, DELETE) take `etag: IfMatch`; reading and creating ones `etag: ETag`.
IfMatch = Annotated[Preconditions, Depends(_preconditions)]
ETag = Annotated[Preconditions, Depends(_tagging)]
