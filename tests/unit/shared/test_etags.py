"""ETags and If-Match without a server: what a tag is made of, how an If-Match header is read, and that a
request without a condition reads nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from fastapi import Response
from pydantic import BaseModel

from stalker_shared.etags import PreconditionFailed, Preconditions, Revision, etag_of, parse_if_match

CREATED = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


class Plain(BaseModel):
    name: str
    ids: list[int]


def test_a_tag_is_the_revision_and_the_creation_time() -> None:
    row = SimpleNamespace(revision=3, created_at=CREATED, name="ignored")
    tag = etag_of(row)
    assert tag.startswith('"3-') and tag.endswith('"')
    assert etag_of(SimpleNamespace(revision=3, created_at=CREATED, name="other")) == tag
    assert etag_of(SimpleNamespace(revision=4, created_at=CREATED)) != tag
    recreated = SimpleNamespace(revision=3, created_at=CREATED.replace(microsecond=0))
    assert etag_of(recreated) != tag  # the same id made anew never matches an old tag
    assert etag_of(Revision(7)) == '"7"'


def test_a_state_without_a_revision_is_tagged_by_its_canonical_json() -> None:
    assert etag_of(Plain(name="a", ids=[1, 2])) == etag_of(Plain(ids=[1, 2], name="a"))
    assert etag_of(Plain(name="a", ids=[1, 2])) != etag_of(Plain(name="a", ids=[2, 1]))
    with pytest.raises(TypeError):
        etag_of(object())


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        (None, None),
        ("", None),
        (" * ", None),
        ('"1-ab"', ('"1-ab"',)),
        ('"1-ab", "2-cd"', ('"1-ab"', '"2-cd"')),
        ('W/"1-ab", "2-cd"', ('"2-cd"',)),  # a weak tag never matches
        ('W/"1-ab"', ()),
        ("1-ab", ('"1-ab"',)),  # the tag without its quotes
        ("1-ab, 2-cd", ('"1-ab"', '"2-cd"')),
        ('"a,b"', ('"a,b"',)),
    ],
)
def test_if_match_is_read_as_rfc_9110_says(header: str | None, tags: tuple[str, ...] | None) -> None:
    assert parse_if_match(header) == tags


async def test_without_a_condition_nothing_is_read_and_a_stale_tag_is_refused() -> None:
    async def never() -> object:
        raise AssertionError("read without a condition")

    await Preconditions(Response()).check(never)
    await Preconditions(Response(), "*").check(never)

    current = SimpleNamespace(revision=2, created_at=CREATED)
    stale = etag_of(SimpleNamespace(revision=1, created_at=CREATED))

    async def read() -> object:
        return current

    await Preconditions(Response(), etag_of(current)).check(read)
    with pytest.raises(PreconditionFailed) as refused:
        await Preconditions(Response(), stale).check(read)
    assert refused.value.http_status == 412 and refused.value.extensions["etag"] == etag_of(current)
    with pytest.raises(PreconditionFailed):
        Preconditions(Response(), stale).require(None)  # nothing to match yet


def test_tagging_sets_the_header_and_returns_the_state() -> None:
    response = Response()
    state = SimpleNamespace(revision=5, created_at=CREATED)
    assert Preconditions(response).tag(state) is state
    assert response.headers["ETag"] == etag_of(state)
