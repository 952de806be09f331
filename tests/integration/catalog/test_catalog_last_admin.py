"""The studio keeps at least one active admin (issue 13: the last admin could delete itself, after which a
restart or `init` recreated an `admin` outside the admins group and nobody could administer the studio);
`init` repairs a studio that lost its admin."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text

from stalker_catalog.service.init import run_initialization

from support.catalog import API, Catalog, ok, problem

PASSWORD = "Tr0ub4dor&3"


async def ids(catalog: Catalog) -> tuple[int, int]:
    """The initial admin's id and the admins group's."""
    me = await ok(await catalog.client.get(f"{API}/auth/me"))
    groups = await ok(await catalog.client.get(f"{API}/groups", params={"name": "admins"}))
    return int(me["id"]), int(groups["items"][0]["id"])


async def last_admin(response: httpx.Response) -> None:
    body = await problem(response, 409)
    assert body["rule"] == "last-admin" and "at least one active admin" in body["detail"], body


async def test_the_last_admin_cannot_delete_deactivate_or_demote_itself(catalog: Catalog) -> None:
    admin, group = await ids(catalog)
    client = catalog.client
    await last_admin(await client.delete(f"{API}/users/{admin}"))
    await last_admin(await client.patch(f"{API}/users/{admin}", json={"active": False}))
    await last_admin(await client.patch(f"{API}/users/{admin}", json={"group_ids": []}))
    await last_admin(await client.delete(f"{API}/groups/{group}/users/{admin}"))
    await last_admin(await client.delete(f"{API}/groups/{group}/members/{admin}"))
    await last_admin(await client.patch(f"{API}/groups/{group}", json={"user_ids": []}))
    await last_admin(await client.patch(f"{API}/groups/{group}", json={"name": "former admins"}))
    await last_admin(await client.delete(f"{API}/groups/{group}"))
    # Nothing of it was kept, and the token still works.
    me = await ok(await client.get(f"{API}/users/{admin}"))
    assert me["active"] is True and me["is_admin"] is True and group in me["group_ids"]


async def test_with_a_second_admin_the_first_may_go(catalog: Catalog) -> None:
    admin, group = await ids(catalog)
    body = {"name": "Bo", "login": "bo", "email": "bo@x.io", "password": PASSWORD, "group_ids": [group]}
    bo = (await ok(await catalog.client.post(f"{API}/users", json=body), 201))["id"]
    assert (await catalog.client.delete(f"{API}/groups/{group}/users/{admin}")).status_code == 204
    as_bo = await catalog.token_for("bo")
    await last_admin(await catalog.client.patch(f"{API}/users/{bo}", json={"active": False}, headers=as_bo))


async def test_two_admins_demoting_each_other_at_once_leave_one(catalog: Catalog) -> None:
    admin, group = await ids(catalog)
    body = {"name": "Bo", "login": "bo", "email": "bo@x.io", "password": PASSWORD, "group_ids": [group]}
    bo = (await ok(await catalog.client.post(f"{API}/users", json=body), 201))["id"]
    as_admin, as_bo = await catalog.token_for("admin"), await catalog.token_for("bo")
    answers = await asyncio.gather(
        catalog.client.delete(f"{API}/groups/{group}/users/{bo}", headers=as_admin),
        catalog.client.delete(f"{API}/groups/{group}/users/{admin}", headers=as_bo),
    )
    assert sorted(a.status_code for a in answers) in ([204, 401], [204, 409]), [a.text for a in answers]
    async with catalog.runtime.sessionmaker() as session:
        left = await session.scalar(text("SELECT count(*) FROM group_user WHERE group_id = :g"), {"g": group})
    assert left == 1


async def test_init_restores_a_studio_whose_admin_left_the_admins_group(catalog: Catalog) -> None:
    """A studio broken before the rule existed: nobody in the admins group."""
    admin, group = await ids(catalog)
    async with catalog.runtime.sessionmaker() as session:
        await session.execute(text("DELETE FROM group_user WHERE group_id = :g"), {"g": group})
        await session.commit()
    refused = await catalog.client.post(f"{API}/users", json={})
    assert refused.status_code in (401, 403)
    report = await run_initialization(catalog.runtime)
    assert report.created["admin_restored"] == 1 and report.created["user"] == 0
    fresh = await catalog.token_for("admin")
    me = await ok(await catalog.client.get(f"{API}/auth/me", headers=fresh))
    assert me["is_admin"] is True and me["id"] == admin
    assert (await run_initialization(catalog.runtime)).changed is False  # repaired once, then nothing


async def test_init_recreates_a_deleted_admin_inside_the_admins_group(catalog: Catalog) -> None:
    admin, _ = await ids(catalog)
    async with catalog.runtime.sessionmaker() as session:
        await session.execute(text('DELETE FROM "user" WHERE id = :id'), {"id": admin})
        await session.commit()
    report = await run_initialization(catalog.runtime)
    assert report.created["user"] == 1 and report.created["admin_restored"] == 1
    me = await ok(await catalog.client.get(f"{API}/auth/me", headers=await catalog.token_for("admin")))
    assert me["is_admin"] is True and me["id"] != admin
    events = [e["type"] for e in await catalog.events()]
    assert "catalog.group.updated" in events[-3:] and "catalog.user.created" in events[-3:], events[-3:]


async def test_init_leaves_a_studio_with_another_admin_as_it_is(catalog: Catalog) -> None:
    admin, group = await ids(catalog)
    body = {"name": "Bo", "login": "bo", "email": "bo@x.io", "password": PASSWORD, "group_ids": [group]}
    await ok(await catalog.client.post(f"{API}/users", json=body), 201)
    assert (await catalog.client.delete(f"{API}/groups/{group}/users/{admin}")).status_code == 204
    report = await run_initialization(catalog.runtime)
    assert report.changed is False
    admins = await ok(
        await catalog.client.get(f"{API}/groups/{group}", headers=await catalog.token_for("bo"))
    )
    assert admin not in admins["user_ids"]
