"""Our side of the differential test against the reference (issue 15): a differential show
(bench/show.py `describe_differential`) created through the catalog's public HTTP API in the show's order,
scheduled through it, and every task's and project's computed dates read back by the show's keys.

The catalog runs on its own PostgreSQL database with a scheduler worker on one in-process broker, as in
the catalog's scheduling tests; tj3 is the real one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stalker_catalog.definition import catalog_definition
from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_scheduler.tjp import render_tjp
from stalker_shared.contracts.scheduling import ScheduleRequested
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

from support.catalog import API, Catalog, catalog_settings, ok
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name

Dates = dict[str, list[str | None]]


@dataclass
class CreatedShow:
    """The ids our system gave the show's studio, users, projects (by code) and tasks (by key)."""

    studio_id: int
    users: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)


@asynccontextmanager
async def scheduling_catalog(
    pg_server: str, template: str, data_dir: Path, tj3_path: str
) -> AsyncIterator[Catalog]:
    """The catalog on a fresh copy of the migrated template, its workers and a scheduler worker."""
    name = unique_name("stalker_differential")
    await create_database(pg_server, name, template=template)
    broker = InMemoryBroker()
    catalog = Runtime(
        catalog_definition(),
        catalog_settings(sqlalchemy_url(pg_server, name), data_dir / "catalog"),
        InMemoryTransport(broker),
    )
    config = SchedulerSettings(data_dir=data_dir / "scheduler", outbox_poll_interval=0.05, tj3_path=tj3_path)
    scheduler = Runtime(scheduler_definition(config), config, InMemoryTransport(broker))
    workers: list[ServiceWorkers] = []
    try:
        await catalog.open(migrate=False)
        await scheduler.open(migrate=True)
        workers = [ServiceWorkers(catalog), ServiceWorkers(scheduler)]
        for worker in workers:
            await worker.start()
        app = create_service_app(catalog, manage_runtime=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://catalog.test", timeout=60
        ) as client:
            handle = Catalog(catalog, client)
            client.headers.update(await handle.token_for("admin"))
            yield handle
    finally:
        for worker in workers:
            await worker.stop(grace=10)
        await scheduler.close()
        await catalog.close()
        await drop_database(pg_server, name)


async def create_show(client: httpx.AsyncClient, show: dict[str, Any]) -> CreatedShow:
    """Studio, users, vacations, projects and tasks, one request each, in the show's order."""
    calendar = show["studio"]
    studio = await ok(
        await client.post(
            f"{API}/studios",
            json={
                "name": "Differential Studio",
                "now": calendar["now"],
                "start": calendar["start"],
                "end": calendar["end"],
            },
        ),
        201,
    )
    created = CreatedShow(studio_id=int(studio["id"]))
    for user in show["users"]:
        login = user["login"]
        body = {
            "name": login,
            "login": login,
            "email": f"{login}@differential.example",
            "password": "differential-artist",
            "efficiency": user["efficiency"],
        }
        created.users[login] = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
    for vacation in show["vacations"]:
        await create_vacation(client, created, vacation)
    for project in show["projects"]:
        made = await ok(await client.post(f"{API}/projects", json=project), 201)
        created.projects[project["code"]] = made["id"]
    for item in show["tasks"]:
        made = await ok(await client.post(f"{API}/tasks", json=task_body(item, created)), 201)
        created.tasks[item["key"]] = made["id"]
    return created


async def create_vacation(client: httpx.AsyncClient, created: CreatedShow, vacation: dict[str, Any]) -> None:
    body = {
        "user_id": created.users[vacation["user"]] if vacation["user"] else None,
        "start": vacation["start"],
        "end": vacation["end"],
    }
    response = await client.post(f"{API}/vacations", json=body)
    if response.status_code in (404, 405):
        raise AssertionError(
            f"POST {API}/vacations answered {response.status_code} (no such route yet?) and the show has"
            f" vacations (STALKER_DIFFERENTIAL_VACATIONS=0 leaves them out): {response.text[:300]}"
        )
    await ok(response, 201)


def task_body(item: dict[str, Any], created: CreatedShow) -> dict[str, Any]:
    """The POST /tasks body of one node of the show."""
    body: dict[str, Any] = {"kind": item["kind"], "name": item["name"], "priority": item["priority"]}
    if item["parent"]:
        body["parent_id"] = created.tasks[item["parent"]]
    else:
        body["project_id"] = created.projects[item["project"]]
    if item["kind"] in ("sequence", "shot"):
        body["code"] = item["name"]
    if item["kind"] == "shot" and item["parent"]:
        body["sequence_ids"] = [created.tasks[item["parent"]]]
    if "schedule_timing" in item:
        body |= {
            "schedule_timing": item["schedule_timing"],
            "schedule_unit": item["schedule_unit"],
            "schedule_model": item["schedule_model"],
            "resource_ids": [created.users[login] for login in item["resources"]],
            "alternative_resource_ids": [created.users[login] for login in item["alternatives"]],
            "allocation_strategy": item["allocation_strategy"],
            "persistent_allocation": item["persistent_allocation"],
        }
    body["depends"] = [
        {"depends_on_id": created.tasks[link["on"]], "target": link["target"]} for link in item["depends"]
    ]
    return body


async def schedule(client: httpx.AsyncClient, studio_id: int, timeout: float = 120) -> dict[str, Any]:
    """POST the studio's schedule and wait for its job to end; the job."""
    job: dict[str, Any] = await ok(await client.post(f"{API}/studios/{studio_id}/schedule", json={}), 202)
    async with asyncio.timeout(timeout):
        while job["status"] not in ("completed", "failed"):
            await asyncio.sleep(0.1)
            job = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}"))
    return job


async def computed_dates(client: httpx.AsyncClient, created: CreatedShow) -> tuple[Dates, Dates]:
    """Every task's (by key) and project's (by code) computed start and end, UTC ISO."""
    tasks = {item["id"]: item for item in await _all(client, "tasks")}
    projects = {item["id"]: item for item in await _all(client, "projects")}
    return (
        {key: _dates(tasks[task_id]) for key, task_id in created.tasks.items()},
        {code: _dates(projects[project_id]) for code, project_id in created.projects.items()},
    )


async def our_tjp(client: httpx.AsyncClient, studio_id: int) -> str:
    """The .tjp our scheduler renders for the studio as it is now (from the catalog's snapshot)."""
    snapshot = await ok(await client.get(f"{API}/studios/{studio_id}/snapshot"))
    return render_tjp(ScheduleRequested.model_validate(snapshot), "breakdown")


async def _all(client: httpx.AsyncClient, collection: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        params = {"limit": 1000, "offset": len(items)}
        page = await ok(await client.get(f"{API}/{collection}", params=params))
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


def _dates(item: dict[str, Any]) -> list[str | None]:
    return [_utc(item["computed_start"]), _utc(item["computed_end"])]


def _utc(value: str | None) -> str | None:
    """An API date as the reference driver writes it (`+00:00`, not `Z`)."""
    return value.replace("Z", "+00:00") if value else None
