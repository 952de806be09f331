"""Tutorial Part V over HTTP: a schedule request answers 202 at once, the scheduler runs tj3 on a worker,
the computed dates come back and are applied once; requests coalesce; a failure is explained.
The catalog (PostgreSQL) and the scheduler run their real workers on one in-process broker."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.contracts import Envelope
from stalker_shared.contracts.scheduling import ScheduleCompleted, TaskResult
from stalker_shared.messaging import InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

from support.catalog import Catalog

pytestmark = pytest.mark.tj3
API = "/catalog/v1"
REFERENCE = {  # reference §4.3, UTC
    "Previs": ("2014-04-02T16:00:00Z", "2014-04-16T16:00:00Z"),
    "Matchmove": ("2014-04-16T16:00:00Z", "2014-04-18T16:00:00Z"),
    "Animation": ("2014-04-18T16:00:00Z", "2014-04-25T16:00:00Z"),
    "Lighting": ("2014-04-25T16:00:00Z", "2014-04-30T16:00:00Z"),
    "comp": ("2014-04-30T16:00:00Z", "2014-05-01T13:00:00Z"),
}


@asynccontextmanager
async def workers_for(catalog: Catalog, tmp_path: Path, **settings: Any) -> AsyncIterator[Catalog]:
    """The catalog's workers and a scheduler worker, on the catalog's in-process broker."""
    transport = catalog.runtime.transport
    assert isinstance(transport, InMemoryTransport)
    config = SchedulerSettings(data_dir=tmp_path / "scheduler", outbox_poll_interval=0.05, **settings)
    scheduler = Runtime(scheduler_definition(config), config, InMemoryTransport(transport.broker))
    await scheduler.open(migrate=True)
    workers = [ServiceWorkers(catalog.runtime), ServiceWorkers(scheduler)]
    for worker in workers:
        await worker.start()
    try:
        yield catalog
    finally:
        for worker in workers:
            await worker.stop(grace=10)
        await scheduler.close()


@pytest.fixture
async def scheduling(catalog: Catalog, tmp_path: Path) -> AsyncIterator[Catalog]:
    async with workers_for(catalog, tmp_path) as ready:
        yield ready


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def tutorial_studio(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    """Parts I to IV: the studio, the user, the project, SH001 and its five tasks."""
    studio = await ok(
        await client.post(
            f"{API}/studios",
            json={
                "name": "My Great Studio",
                "now": "2014-04-02T16:00:00Z",
                "start": "2014-04-02T00:00:00Z",
                "duration": 365,
            }
            | changes,
        ),
        201,
    )
    me = await ok(
        await client.post(
            f"{API}/users",
            json={
                "name": "Erkan Ozgur Yilmaz",
                "login": "eoyilmaz",
                "email": "e@example.com",
                "password": "Tr0ub4dor&3",
            },
        ),
        201,
    )
    project = await ok(
        await client.post(f"{API}/projects", json={"name": "Fancy Commercial", "code": "FC"}), 201
    )
    shot = await ok(
        await client.post(f"{API}/shots", json={"code": "SH001", "project_id": project["id"]}), 201
    )
    tasks: dict[str, dict[str, Any]] = {}
    for name, timing, unit, depends in (
        ("Previs", 10, "d", []),
        ("Matchmove", 2, "d", []),
        ("Animation", 5, "d", ["Previs", "Matchmove"]),
        ("Lighting", 3, "d", ["Animation"]),
        ("comp", 6, "h", ["Lighting"]),
    ):
        body = {
            "name": name,
            "parent_id": shot["id"],
            "schedule_timing": timing,
            "schedule_unit": unit,
            "resource_ids": [me["id"]],
            "depends": [tasks[d]["id"] for d in depends],
        }
        tasks[name] = await ok(await client.post(f"{API}/tasks", json=body), 201)
    return {"studio": studio, "me": me, "project": project, "shot": shot, "tasks": tasks}


async def wait_for(client: httpx.AsyncClient, job_id: int, timeout: float = 30) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            job: dict[str, Any] = await ok(await client.get(f"{API}/schedule-jobs/{job_id}"))
            if job["status"] in ("completed", "failed"):
                return job
            await asyncio.sleep(0.1)


async def test_part_v_scheduling_gives_tj3s_dates(scheduling: Catalog) -> None:
    client = scheduling.client
    setup = await tutorial_studio(client)
    response = await client.post(f"{API}/studios/{setup['studio']['id']}/schedule", json={})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "running"
    assert response.headers["location"] == f"/catalog/v1/schedule-jobs/{job['id']}"
    done = await wait_for(client, job["id"])
    assert done["status"] == "completed", done
    assert done["tasks_scheduled"] == 6 and {"render", "tj3", "parse"} <= set(done["timings"])
    for name, (start, end) in REFERENCE.items():
        task = await ok(await client.get(f"{API}/tasks/{setup['tasks'][name]['id']}"))
        assert (task["computed_start"], task["computed_end"]) == (start, end), name
    studio = await ok(await client.get(f"{API}/studios/{setup['studio']['id']}"))
    assert studio["is_scheduling"] is False and studio["last_scheduled_at"] is not None
    admin = await ok(await client.get(f"{API}/auth/me"))
    assert studio["last_scheduled_by_id"] == admin["id"]


async def test_requests_made_while_a_run_is_in_flight_merge_into_one_queued_job(scheduling: Catalog) -> None:
    client = scheduling.client
    setup = await tutorial_studio(client)
    url = f"{API}/studios/{setup['studio']['id']}/schedule"
    first, second, third = [await ok(await client.post(url, json={}), 202) for _ in range(3)]
    assert first["status"] == "running"
    assert second["id"] == third["id"] and second["status"] == "queued"
    merged = await ok(await client.get(f"{API}/schedule-jobs/{second['id']}"))
    assert merged["requests_merged"] == 2
    assert (await wait_for(client, first["id"]))["status"] == "completed"
    assert (await wait_for(client, second["id"]))["status"] == "completed"  # dispatched after the first
    jobs = await ok(await client.get(f"{API}/schedule-jobs?studio_id={setup['studio']['id']}"))
    assert jobs["total"] == 2


async def test_a_repeated_or_stale_result_changes_nothing(scheduling: Catalog) -> None:
    client = scheduling.client
    setup = await tutorial_studio(client)
    job = await ok(await client.post(f"{API}/studios/{setup['studio']['id']}/schedule", json={}), 202)
    await wait_for(client, job["id"])
    previs_id = setup["tasks"]["Previs"]["id"]
    before = await ok(await client.get(f"{API}/tasks/{previs_id}"))
    stale = ScheduleCompleted(
        job_id=job["id"],
        tasks=(
            TaskResult(
                id=previs_id, computed_start="2020-01-01T00:00:00Z", computed_end="2020-01-02T00:00:00Z"
            ),
        ),
        projects=(),
    )
    from stalker_catalog.service.scheduling import apply_completed

    async with scheduling.runtime.unit_of_work() as uow:
        await apply_completed(uow, Envelope.wrap(stale, correlation_id="c", causation_id=None), stale)
        await uow.commit()
    after = await ok(await client.get(f"{API}/tasks/{previs_id}"))
    assert after["computed_start"] == before["computed_start"] == REFERENCE["Previs"][0]


async def test_a_failed_run_is_explained_and_releases_the_studio(scheduling: Catalog) -> None:
    client = scheduling.client
    # A studio of two days cannot hold 20 days of work: tj3 refuses the whole run.
    setup = await tutorial_studio(client, duration=2)
    job = await ok(await client.post(f"{API}/studios/{setup['studio']['id']}/schedule", json={}), 202)
    done = await wait_for(client, job["id"])
    assert done["status"] == "failed", done
    assert done["message"]
    studio = await ok(await client.get(f"{API}/studios/{setup['studio']['id']}"))
    assert studio["is_scheduling"] is False and studio["last_schedule_message"] == done["message"]
    # The error is mapped back to the tasks tj3 could not fit, by id and name.
    assert any(
        p["task_name"] == "Previs" and p["task_id"] == setup["tasks"]["Previs"]["id"]
        for p in done["problems"]
    )
    again = await ok(await client.post(f"{API}/studios/{setup['studio']['id']}/schedule", json={}), 202)
    assert again["status"] == "running"  # the lock was released


async def test_a_tj3_killed_at_its_timeout_fails_the_job_and_frees_the_studio(
    catalog: Catalog, tmp_path: Path
) -> None:
    hanging = tmp_path / "tj3"
    hanging.write_text("#!/bin/sh\nsleep 60\n")
    hanging.chmod(hanging.stat().st_mode | stat.S_IXUSR)
    hangs = {"ruby_path": str(hanging), "tj3_path": str(hanging)}  # the driver's Ruby and the tj3 command
    async with workers_for(catalog, tmp_path, tj3_timeout_seconds=1.0, **hangs) as scheduling:
        client = scheduling.client
        setup = await tutorial_studio(client)
        job = await ok(await client.post(f"{API}/studios/{setup['studio']['id']}/schedule", json={}), 202)
        done = await wait_for(client, job["id"])
        assert done["status"] == "failed" and "did not finish within 1 s" in done["message"], done
        studio = await ok(await client.get(f"{API}/studios/{setup['studio']['id']}"))
        assert studio["is_scheduling"] is False
