"""Version numbers are the server's: unique under concurrency, never handed out twice, and a retried
create with the same Idempotency-Key returns the version the first attempt made."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from stalker_shared.contracts.catalog import ProjectMemberState, ProjectUpdated
from stalker_versions.db.models import VersionCounter

from support.versions import (
    ARTIST,
    COMP,
    OTHER_ARTIST,
    PROJECT,
    VersionsService,
    bearer,
    feed_the_commercial,
    project_created,
    set_up_storage,
)

CREATE = f"/versions/v1/tasks/{COMP}/versions"


@pytest.fixture
async def ready(service: VersionsService) -> VersionsService:
    """The commercial with its storage, on PostgreSQL and on the embedded mode's SQLite (conftest's
    `service`): every rule below must hold on both."""
    versions = service
    await feed_the_commercial(versions)
    # The artists work on the project: its next state names them.
    members = [ProjectMemberState(user_id=u.user_id, role="artist") for u in (ARTIST, OTHER_ARTIST)]
    state = project_created(PROJECT, "Fancy Commercial", "FC", revision=2).model_dump() | {"members": members}
    assert (await versions.deliver(ProjectUpdated(**state))).outcome == "ack"
    await set_up_storage(versions)
    return versions


@pytest.mark.slow
async def test_fifty_concurrent_creators_get_exactly_one_to_fifty(ready: VersionsService) -> None:
    responses = await asyncio.gather(*(ready.client.post(CREATE, json={}) for _ in range(50)))
    assert [r.status_code for r in responses] == [201] * 50, [
        r.text for r in responses if r.status_code != 201
    ]
    numbers = sorted(r.json()["version_number"] for r in responses)
    assert numbers == list(range(1, 51))
    filenames = {r.json()["filename"] for r in responses}
    assert len(filenames) == 50 and "SH001_comp_Main_v050" in filenames
    listed = (await ready.client.get(CREATE + "?limit=100")).json()
    assert [v["version_number"] for v in listed["items"]] == list(range(1, 51))


async def test_concurrent_takes_do_not_share_numbers(ready: VersionsService) -> None:
    takes = ["Main", "Alt"] * 10
    responses = await asyncio.gather(*(ready.client.post(CREATE, json={"take_name": t}) for t in takes))
    by_take: dict[str, list[int]] = {}
    for response in responses:
        body = response.json()
        by_take.setdefault(body["take_name"], []).append(body["version_number"])
    assert {take: sorted(numbers) for take, numbers in by_take.items()} == {
        "Main": list(range(1, 11)),
        "Alt": list(range(1, 11)),
    }


async def test_a_deleted_versions_number_is_never_handed_out_again(ready: VersionsService) -> None:
    ids = [(await ready.post(CREATE, {}))["id"] for _ in range(3)]
    assert (await ready.client.delete(f"/versions/v1/versions/{ids[2]}")).status_code == 204
    deleted = [e["payload"] for e in await ready.events() if e["type"] == "versions.version.deleted"]
    assert [d["id"] for d in deleted] == [ids[2]]  # the catalog's mirror of versions hears of it
    assert (await ready.post(CREATE, {}))["version_number"] == 4  # the top number is not reused
    assert (await ready.client.delete(f"/versions/v1/versions/{ids[1]}")).status_code == 204
    fifth = await ready.post(CREATE, {})
    assert (fifth["version_number"], fifth["filename"]) == (5, "SH001_comp_Main_v005")
    gone = await ready.client.get(f"/versions/v1/versions/{ids[1]}")
    assert gone.status_code == 404


async def test_a_retry_with_the_same_idempotency_key_returns_the_same_version(ready: VersionsService) -> None:
    key = {"Idempotency-Key": "publish-7f3a"}
    first = await ready.client.post(CREATE, json={"extension": "nk"}, headers=key)
    retry = await ready.client.post(CREATE, json={"extension": ".nk"}, headers=key)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"] and retry.headers["Idempotent-Replayed"] == "true"
    assert (await ready.post(CREATE, {}))["version_number"] == 2  # the retry took no number
    created = [e for e in await ready.events() if e["type"] == "versions.version.created"]
    assert len(created) == 2


async def test_concurrent_retries_with_one_key_make_one_version(ready: VersionsService) -> None:
    key = {"Idempotency-Key": "same-everywhere"}
    responses = await asyncio.gather(*(ready.client.post(CREATE, json={}, headers=key) for _ in range(8)))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    async with ready.runtime.sessionmaker() as session:
        counter = await session.scalar(select(func.max(VersionCounter.last_number)))
    assert counter == 1  # the losers' increments were rolled back with their transactions


async def test_a_key_reused_for_another_request_is_refused(ready: VersionsService) -> None:
    key = {"Idempotency-Key": "k-1"}
    await ready.post(CREATE, {}, headers=key)
    other = await ready.client.post(CREATE, json={"take_name": "Alt"}, headers=key)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


async def test_keys_belong_to_their_user(ready: VersionsService) -> None:
    key = "shared-key"
    mine = await ready.post(CREATE, {}, headers={**bearer(ARTIST), "Idempotency-Key": key})
    theirs = await ready.post(CREATE, {}, headers={**bearer(OTHER_ARTIST), "Idempotency-Key": key})
    assert mine["id"] != theirs["id"] and theirs["created_by_id"] == OTHER_ARTIST.user_id


async def test_only_the_creator_or_an_admin_deletes_a_version(ready: VersionsService) -> None:
    version = await ready.post(CREATE, {}, headers=bearer(ARTIST))
    refused = await ready.client.delete(
        f"/versions/v1/versions/{version['id']}", headers=bearer(OTHER_ARTIST)
    )
    assert refused.status_code == 403
    allowed = await ready.client.delete(f"/versions/v1/versions/{version['id']}", headers=bearer(ARTIST))
    assert allowed.status_code == 204
