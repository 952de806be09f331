"""Optimistic concurrency in the catalog, in both modes: one item's GET, POST and PATCH answer its ETag; a
PATCH or DELETE whose If-Match no longer matches is refused with 412 naming the current ETag, and nothing
is written; `If-Match: *` or none: the last write wins, as before. The check runs on the row as locked for
the write, so of many writers holding one ETag exactly one wins."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from support.catalog import API, Catalog, ok, problem, project, task

WRITERS = 5


async def a_task(client: httpx.AsyncClient) -> int:
    pid = await project(client)
    shot = await ok(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": pid}), 201)
    return int((await task(client, name="comp", parent_id=shot["id"]))["id"])


async def read(client: httpx.AsyncClient, url: str) -> tuple[dict[str, object], str]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


async def test_two_clients_update_one_task_the_second_gets_412_and_the_first_write_stays(
    service: Catalog,
) -> None:
    client = service.client
    url = f"{API}/tasks/{await a_task(client)}"
    first, first_tag = await read(client, url)
    _, second_tag = await read(client, url)
    assert first_tag == second_tag and first_tag.startswith(f'"{first["revision"]}-')

    won = await client.patch(url, json={"name": "comp_first"}, headers={"If-Match": first_tag})
    assert won.status_code == 200, won.text
    new_tag = won.headers["ETag"]
    assert new_tag != first_tag and won.json()["revision"] == first["revision"] + 1  # type: ignore[operator]

    lost = await problem(
        await client.patch(url, json={"name": "comp_second"}, headers={"If-Match": second_tag}), 412
    )
    assert lost["title"] == "Precondition Failed" and lost["detail"].startswith(f"If-Match {second_tag} ")
    assert lost["etag"] == new_tag and new_tag in lost["detail"]
    stored, stored_tag = await read(client, url)
    assert stored["name"] == "comp_first" and stored_tag == new_tag


async def test_of_concurrent_writers_holding_one_etag_exactly_one_wins(service: Catalog) -> None:
    client = service.client
    url = f"{API}/tasks/{await a_task(client)}"
    _, tag = await read(client, url)
    responses = await asyncio.gather(
        *(client.patch(url, json={"name": f"by_{n}"}, headers={"If-Match": tag}) for n in range(WRITERS))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * (WRITERS - 1), [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    stored, stored_tag = await read(client, url)
    assert stored["name"] == winner.json()["name"] and stored_tag == winner.headers["ETag"]
    assert {r.json()["etag"] for r in responses if r.status_code == 412} == {stored_tag}


async def test_if_match_on_delete(service: Catalog) -> None:
    client = service.client
    url = f"{API}/tasks/{await a_task(client)}"
    _, old_tag = await read(client, url)
    await ok(await client.patch(url, json={"description": "changed"}))
    body = await problem(await client.delete(url, headers={"If-Match": old_tag}), 412)
    _, current = await read(client, url)  # still there
    assert body["etag"] == current
    assert (await client.delete(url, headers={"If-Match": current})).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_star_or_no_if_match_keeps_last_write_wins(service: Catalog) -> None:
    client = service.client
    url = f"{API}/tasks/{await a_task(client)}"
    await ok(await client.patch(url, json={"name": "a"}))
    await ok(await client.patch(url, json={"name": "b"}, headers={"If-Match": "*"}))
    assert (await read(client, url))[0]["name"] == "b"
    _, tag = await read(client, url)
    # A list matches if any of its tags does; a weak tag never does (If-Match compares strongly).
    listed = await client.patch(url, json={"name": "c"}, headers={"If-Match": f'"nope", {tag}'})
    assert listed.status_code == 200, listed.text
    weak = await client.patch(url, json={"name": "d"}, headers={"If-Match": f"W/{listed.headers['ETag']}"})
    await problem(weak, 412)
    unquoted = listed.headers["ETag"].strip('"')  # a clumsy client's tag without its quotes
    assert (await client.patch(url, json={"name": "e"}, headers={"If-Match": unquoted})).status_code == 200


async def test_a_shot_has_the_same_etag_under_its_kind_and_as_a_task(service: Catalog) -> None:
    client = service.client
    pid = await project(client)
    made = await client.post(f"{API}/shots", json={"code": "SH010", "project_id": pid})
    assert made.status_code == 201, made.text
    shot_id = made.json()["id"]
    _, as_task = await read(client, f"{API}/tasks/{shot_id}")
    _, as_shot = await read(client, f"{API}/shots/{shot_id}")
    assert made.headers["ETag"] == as_task == as_shot
    changed = await client.patch(f"{API}/shots/{shot_id}", json={"cut_in": 5}, headers={"If-Match": as_task})
    assert changed.status_code == 200, changed.text
    stale = await client.patch(f"{API}/shots/{shot_id}", json={"cut_in": 7}, headers={"If-Match": as_shot})
    assert (await problem(stale, 412))["etag"] == changed.headers["ETag"]


async def test_a_relation_change_moves_the_tasks_etag(service: Catalog) -> None:
    client = service.client
    task_id = await a_task(client)
    url = f"{API}/tasks/{task_id}"
    _, before = await read(client, url)
    await ok(await client.post(f"{url}/resources", json={"user_id": 1}), 201)  # the admin
    _, after = await read(client, url)
    assert after != before
    await problem(await client.patch(url, json={"resource_ids": []}, headers={"If-Match": before}), 412)
    assert (await read(client, url))[0]["resource_ids"] == [1]


async def test_a_generic_resource_status(service: Catalog) -> None:
    client = service.client
    made = await client.post(f"{API}/statuses", json={"name": "Waiting Review", "code": "WREV"})
    assert made.status_code == 201, made.text
    url = f"{API}/statuses/{made.json()['id']}"
    _, tag = await read(client, url)
    assert made.headers["ETag"] == tag
    changed = await client.patch(url, json={"description": "one"}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == (await read(client, url))[1] != tag
    again = await client.patch(url, json={"description": "two"}, headers={"If-Match": tag})
    stale = await problem(again, 412)
    assert stale["etag"] == changed.headers["ETag"]
    await problem(await client.delete(url, headers={"If-Match": tag}), 412)
    assert (await read(client, url))[0]["description"] == "one"
    assert (await client.delete(url, headers={"If-Match": changed.headers["ETag"]})).status_code == 204


@pytest.mark.parametrize(
    ("path", "body", "change"),
    [
        ("users", {"name": "U", "login": "u1", "email": "u@x.com", "password": "pass-word-1"}, {"name": "V"}),
        ("departments", {"name": "TDs"}, {"description": "tech"}),
        ("groups", {"name": "Leads"}, {"description": "leads"}),
        ("roles", {"name": "Supervisor"}, {"description": "sup"}),
        ("image-formats", {"name": "HD", "width": 1920, "height": 1080}, {"pixel_aspect": 1.0}),
        ("projects", {"name": "Project X", "code": "PX"}, {"description": "x"}),
        ("studios", {"name": "Studio"}, {"description": "s"}),
    ],
)
async def test_every_item_route_tags_and_checks(
    catalog: Catalog, path: str, body: dict[str, object], change: dict[str, object]
) -> None:
    client = catalog.client
    made = await client.post(f"{API}/{path}", json=body)
    assert made.status_code == 201, made.text
    url = f"{API}/{path}/{made.json()['id']}"
    _, tag = await read(client, url)
    assert made.headers["ETag"] == tag
    changed = await client.patch(url, json=change, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == (await read(client, url))[1] != tag
    await problem(await client.patch(url, json=change, headers={"If-Match": tag}), 412)
    await problem(await client.delete(url, headers={"If-Match": tag}), 412)
    assert "ETag" not in (await client.get(f"{API}/{path}")).headers  # lists carry none
