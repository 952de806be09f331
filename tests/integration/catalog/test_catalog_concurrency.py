"""The task graph's rules hold under concurrent writers in both modes: on PostgreSQL the project row is
locked, on SQLite (the embedded mode, where `FOR UPDATE` is a no-op) writers are serialized. Each test
sends its requests at once and checks that every answer matches what was kept."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text

from support.catalog import API, Catalog, ok, project, task

WRITERS = 5


async def tasks_in_a_shot(client: httpx.AsyncClient, count: int) -> list[int]:
    pid = await project(client)
    shot = await ok(await client.post(f"{API}/shots", json={"code": "SH001", "project_id": pid}), 201)
    return [(await task(client, name=f"T{n}", parent_id=shot["id"]))["id"] for n in range(count)]


async def users(client: httpx.AsyncClient, count: int) -> list[int]:
    made = []
    for n in range(count):
        body = {"name": f"U{n}", "login": f"u{n}", "email": f"u{n}@x.com", "password": f"pass-word-{n}"}
        made.append((await ok(await client.post(f"{API}/users", json=body), 201))["id"])
    return made


async def test_concurrent_resources_on_one_task_are_all_kept(service: Catalog) -> None:
    client = service.client
    (target,) = await tasks_in_a_shot(client, 1)
    people = await users(client, WRITERS)
    responses = await asyncio.gather(
        *(client.post(f"{API}/tasks/{target}/resources", json={"user_id": u}) for u in people)
    )
    assert [r.status_code for r in responses] == [201] * WRITERS, [r.text for r in responses]
    kept = await ok(await client.get(f"{API}/tasks/{target}/resources"))
    assert sorted(u["id"] for u in kept) == sorted(people)
    assert sorted((await ok(await client.get(f"{API}/tasks/{target}")))["resource_ids"]) == sorted(people)


async def test_concurrent_dependencies_on_one_task_are_all_kept(service: Catalog) -> None:
    client = service.client
    target, *others = await tasks_in_a_shot(client, WRITERS + 1)
    responses = await asyncio.gather(
        *(client.post(f"{API}/tasks/{target}/dependencies", json={"depends_on_id": o}) for o in others)
    )
    assert [r.status_code for r in responses] == [201] * WRITERS, [r.text for r in responses]
    kept = await ok(await client.get(f"{API}/tasks/{target}/dependencies"))
    assert sorted(d["depends_on_id"] for d in kept) == sorted(others)


async def test_concurrent_dependencies_never_close_a_loop(service: Catalog) -> None:
    """T0 <- T1 <- ... <- T4 <- T0, each link sent at once: whichever comes last closes the ring and must be
    refused, whatever the order; the graph keeps the other four."""
    client = service.client
    ring = await tasks_in_a_shot(client, WRITERS)
    links = [(ring[n], ring[(n + 1) % WRITERS]) for n in range(WRITERS)]
    responses = await asyncio.gather(
        *(client.post(f"{API}/tasks/{t}/dependencies", json={"depends_on_id": d}) for t, d in links)
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * (WRITERS - 1) + [409], [r.text for r in responses]
    refused = next(r.json() for r in responses if r.status_code == 409)
    assert refused["field"] == "depends"
    kept = [
        (t, d["depends_on_id"])
        for t in ring
        for d in await ok(await client.get(f"{API}/tasks/{t}/dependencies"))
    ]
    assert len(kept) == WRITERS - 1 and set(kept) < set(links)


async def test_concurrent_schedule_requests_make_one_running_job_and_merge_the_rest(service: Catalog) -> None:
    """The schedule route works in units of work of its own beside the request's (which only read the
    caller's access): on SQLite neither may wait for the other. One run starts; the rest merge."""
    client = service.client
    studio = await ok(await client.post(f"{API}/studios", json={"name": "Studio", "duration": 30}), 201)
    await tasks_in_a_shot(client, 1)
    url = f"{API}/studios/{studio['id']}/schedule"
    async with asyncio.timeout(20):  # a writer waiting on the request's own lock would take 30 s
        responses = await asyncio.gather(*(client.post(url, json={}) for _ in range(WRITERS)))
    assert [r.status_code for r in responses] == [202] * WRITERS, [r.text for r in responses]
    jobs = [r.json() for r in responses]
    assert sorted(j["status"] for j in jobs) == ["queued"] * (WRITERS - 1) + ["running"]
    (queued,) = {j["id"] for j in jobs if j["status"] == "queued"}
    merged = await ok(await client.get(f"{API}/schedule-jobs/{queued}"))
    assert merged["requests_merged"] == WRITERS - 1


async def test_on_sqlite_a_writer_waits_for_the_one_before_it_and_readers_wait_for_none(
    embedded_catalog: Catalog,
) -> None:
    client = embedded_catalog.client
    (held,) = await tasks_in_a_shot(client, 1)
    async with embedded_catalog.runtime.sessionmaker() as session:
        # An uncommitted change: this transaction holds SQLite's write lock.
        await session.execute(text("UPDATE task SET name = 'renamed' WHERE id = :i"), {"i": held})
        async with asyncio.timeout(5):
            read = await ok(await client.get(f"{API}/tasks/{held}"))
        assert read["name"] == "T0"  # a GET answers at once, with what is committed
        write = asyncio.create_task(client.patch(f"{API}/tasks/{held}", json={"description": "later"}))
        await asyncio.sleep(0.5)
        assert not write.done()  # the PATCH waits for the lock instead of failing
        await session.commit()
    patched = await ok(await write)
    assert (patched["name"], patched["description"]) == ("renamed", "later")  # it read the committed row
