"""Optimistic concurrency in the versions service, on PostgreSQL and on embedded SQLite: a version, a
generic resource (repositories) and a project's storage answer their ETag; a stale If-Match is refused
with 412 and nothing is written."""

from __future__ import annotations

import asyncio

import httpx

from support.versions import COMP, PROJECT, VersionsService, feed_the_commercial, set_up_storage

WRITERS = 5


async def read(client: httpx.AsyncClient, url: str) -> tuple[dict[str, object], str]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def precondition_failed(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 412, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


async def a_version(service: VersionsService) -> tuple[str, httpx.Response]:
    await feed_the_commercial(service)
    await set_up_storage(service)
    made = await service.client.post(f"/versions/v1/tasks/{COMP}/versions", json={})
    assert made.status_code == 201, made.text
    return f"/versions/v1/versions/{made.json()['id']}", made


async def test_a_version_stale_update_and_delete_are_refused(service: VersionsService) -> None:
    client = service.client
    url, made = await a_version(service)
    _, tag = await read(client, url)
    _, on_windows = await read(client, url + "?os=windows")
    assert made.headers["ETag"] == tag == on_windows  # the paths' OS is a view, not a state

    first = await client.patch(url, json={"description": "first"}, headers={"If-Match": tag})
    assert first.status_code == 200, first.text
    again = await client.patch(url, json={"description": "second"}, headers={"If-Match": tag})
    second = precondition_failed(again)
    assert second["etag"] == first.headers["ETag"] != tag
    precondition_failed(await client.delete(url, headers={"If-Match": tag}))
    stored, stored_tag = await read(client, url)
    assert stored["description"] == "first" and stored_tag == first.headers["ETag"]
    # Relinking inputs only moves the revision too, so a tag read before it is stale.
    await client.patch(url, json={"input_ids": []})
    assert (await read(client, url))[1] != stored_tag
    assert (await client.delete(url, headers={"If-Match": "*"})).status_code == 204


async def test_of_concurrent_publishers_holding_one_etag_exactly_one_wins(service: VersionsService) -> None:
    client = service.client
    url, _ = await a_version(service)
    _, tag = await read(client, url)
    changes = [{"description": f"by {n}"} for n in range(WRITERS)]
    responses = await asyncio.gather(*(client.patch(url, json=c, headers={"If-Match": tag}) for c in changes))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * (WRITERS - 1), [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    stored, _ = await read(client, url)
    assert stored["description"] == winner.json()["description"]


async def test_a_repository_and_the_storage(service: VersionsService) -> None:
    client = service.client
    await feed_the_commercial(service)
    await set_up_storage(service)
    listed = await client.get("/versions/v1/repositories")
    assert "ETag" not in listed.headers
    url = f"/versions/v1/repositories/{listed.json()['items'][0]['id']}"
    _, tag = await read(client, url)
    renamed = await client.patch(url, json={"name": "Renamed"}, headers={"If-Match": tag})
    assert renamed.status_code == 200, renamed.text
    precondition_failed(await client.patch(url, json={"name": "Again"}, headers={"If-Match": tag}))
    assert (await read(client, url))[0]["name"] == "Renamed"

    storage_url = f"/versions/v1/projects/{PROJECT}/storage"
    storage, storage_tag = await read(client, storage_url)
    body = {"repository_ids": storage["repository_ids"], "structure_id": storage["structure_id"]}
    put = await client.put(storage_url, json=body, headers={"If-Match": storage_tag})
    assert put.status_code == 200, put.text
    assert put.headers["ETag"] == (await read(client, storage_url))[1] != storage_tag
    stale = precondition_failed(await client.put(storage_url, json=body, headers={"If-Match": storage_tag}))
    assert stale["etag"] == put.headers["ETag"]
