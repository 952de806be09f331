"""Versions benchmark: how many versions per second the versions service creates on PostgreSQL.

Usage: .venv/bin/python bench/versions_publish.py [--versions 400] [--clients 8]

It creates a fresh database on the server of STALKER_TEST_POSTGRES_URL (default: the local
postgresql://postgres@127.0.0.1:5432/postgres), migrates it, feeds the read model with the tutorial's
commercial (project FC, shot SH001 and tasks under it), sets up the tutorial's repository, structure and
template over HTTP, and runs the service in this process (Runtime + create_service_app + httpx's ASGI
transport: routing, validation, token checks, rendering in the sandbox and serialization are measured,
not the network; client and server share one event loop and one CPU core). Each created version is a
full POST /v1/tasks/{id}/versions: number allocation, rendering, version row, outbox row, commit.

Scenarios, measured in the same run:
- baseline: 1 client creating versions one after the other for one task and take;
- N clients on one task and take: every creation queues on the same counter row lock;
- N clients on N tasks: the same load without the shared lock.
Numbers are checked to be exactly 1..count per task and take. The table is printed and
bench/results/versions_publish.json written. The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from stalker_shared.auth import Principal, generate_private_pem, issue_token, public_pem_of
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_versions.definition import versions_definition
from stalker_versions.service.catalog_events import (
    ProjectFacts,
    TaskFacts,
    UserFacts,
    apply_project,
    apply_task,
    apply_user,
)
from stalker_versions.settings import VersionsSettings

API = "/versions/v1"
RESULTS = Path(__file__).parent / "results" / "versions_publish.json"
PROJECT, SHOT, FIRST_TASK = 34, 41, 100
TUTORIAL_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
TUTORIAL_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'


def server_url() -> str:
    return os.environ.get("STALKER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_urls(server: str, name: str) -> tuple[str, str]:
    """(asyncpg DSN of the server's postgres database, SQLAlchemy URL of `name`)."""
    parts = urlsplit(server)
    return (
        urlunsplit(("postgresql", parts.netloc, "/postgres", "", "")),
        urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", "", "")),
    )


async def feed_read_model(runtime: Runtime, tasks: int) -> list[int]:
    """The admin (user 3, whose token the benchmark sends), the project, shot SH001 and `tasks` tasks
    under it, as catalog events would leave them."""
    async with runtime.unit_of_work() as uow:
        await apply_user(uow.session, UserFacts(id=3, login="admin", is_admin=True, revision=1))
        await apply_project(
            uow.session, ProjectFacts(id=PROJECT, name="Fancy Commercial", code="FC", revision=1)
        )
        await apply_task(
            uow.session,
            TaskFacts(id=SHOT, project_id=PROJECT, kind="shot", name="SH001", code="SH001", revision=1),
        )
        ids = [FIRST_TASK + i for i in range(tasks)]
        for task_id in ids:
            name = "comp" if task_id == FIRST_TASK else f"comp{task_id}"
            await apply_task(
                uow.session, TaskFacts(id=task_id, project_id=PROJECT, parent_id=SHOT, name=name, revision=1)
            )
        await uow.commit()
    return ids


async def set_up_storage(client: httpx.AsyncClient) -> None:
    async def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(url, json=body)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    repository = await post(
        f"{API}/repositories",
        {
            "name": "Commercial Repository",
            "linux_path": "/mnt/M/commercials",
            "macos_path": "/Volumes/M/commercials",
            "windows_path": "M:/commercials",
        },
    )
    template = await post(
        f"{API}/filename-templates",
        {"name": "Task", "target_entity_type": "Task", "path": TUTORIAL_PATH, "filename": TUTORIAL_FILENAME},
    )
    structure = await post(f"{API}/structures", {"name": "Commercials", "template_ids": [template["id"]]})
    response = await client.put(
        f"{API}/projects/{PROJECT}/storage",
        json={"repository_ids": [repository["id"]], "structure_id": structure["id"]},
    )
    response.raise_for_status()


async def run_scenario(
    client: httpx.AsyncClient, name: str, clients: int, task_ids: list[int], total: int, take: str
) -> dict[str, Any]:
    """`clients` concurrent clients creating `total` versions; client i works on task_ids[i % len]."""
    latencies: list[float] = []
    numbers: dict[int, list[int]] = {}

    async def one_client(index: int, count: int) -> None:
        task_id = task_ids[index % len(task_ids)]
        for _ in range(count):
            started = time.perf_counter()
            response = await client.post(f"{API}/tasks/{task_id}/versions", json={"take_name": take})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise RuntimeError(f"{name}: {response.status_code} {response.text}")
            numbers.setdefault(task_id, []).append(response.json()["version_number"])

    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(*(one_client(i, n) for i, n in enumerate(shares)))
    elapsed = time.perf_counter() - started
    exact = all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())
    ordered = sorted(latencies)
    return {
        "scenario": name,
        "clients": clients,
        "tasks": len(numbers),
        "versions": total,
        "seconds": round(elapsed, 3),
        "versions_per_second": round(total / elapsed, 1),
        "latency_ms_p50": round(statistics.median(ordered) * 1000, 1),
        "latency_ms_p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "numbers_exactly_1_to_n": exact,
    }


async def main(total: int, clients: int, warmup: int) -> list[dict[str, Any]]:
    load_before = os.getloadavg()[0]
    admin_dsn, _ = database_urls(server_url(), "postgres")
    name = f"stalker_bench_versions_{uuid.uuid4().hex[:8]}"
    _, url = database_urls(server_url(), name)
    connection = await asyncpg.connect(admin_dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    postgres_version = await connection.fetchval("SHOW server_version")
    await connection.close()
    private = generate_private_pem()
    settings = VersionsSettings(
        database_url=url, data_dir=Path(tempfile.mkdtemp()), jwt_public_key=public_pem_of(private)
    )
    runtime = Runtime(versions_definition(), settings, InMemoryTransport(InMemoryBroker()))
    try:
        await runtime.open(migrate=True)
        task_ids = await feed_read_model(runtime, clients + 1)
        token = issue_token(private, Principal(3, "admin", True), timedelta(hours=1))
        app = create_service_app(runtime, manage_runtime=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://versions.bench",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            await set_up_storage(client)
            await run_scenario(client, "warm-up", 1, task_ids[-1:], warmup, "Warmup")
            rows = [
                await run_scenario(client, "baseline: 1 client, 1 task", 1, task_ids[:1], total, "Main"),
                await run_scenario(
                    client, f"{clients} clients, 1 task and take", clients, task_ids[:1], total, "Alt"
                ),
                await run_scenario(
                    client, f"{clients} clients, {clients} tasks", clients, task_ids[:clients], total, "Main2"
                ),
            ]
    finally:
        await runtime.close()
        connection = await asyncpg.connect(admin_dsn)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()
    write_results(rows, total, clients, postgres_version, (load_before, os.getloadavg()[0]))
    return rows


def write_results(
    rows: list[dict[str, Any]], total: int, clients: int, postgres_version: str, load: tuple[float, float]
) -> None:
    print(f"\nVersions created per second (PostgreSQL {postgres_version}, {total} versions per scenario)")
    print(
        f"machine: {os.cpu_count()} CPUs, 1-minute load average {load[0]:.2f} before, {load[1]:.2f} after\n"
    )
    header = f"{'scenario':<32} {'versions/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'1..n':>5}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['scenario']:<32} {row['versions_per_second']:>10} {row['latency_ms_p50']:>8} "
            f"{row['latency_ms_p95']:>8} {'yes' if row['numbers_exactly_1_to_n'] else 'NO':>5}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "versions_publish",
                "command": f"bench/versions_publish.py --versions {total} --clients {clients}",
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average_1min": {"before": load[0], "after": load[1]},
                "postgres": postgres_version,
                "transport": "in-process ASGI (httpx.ASGITransport), one event loop",
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=400, help="versions per scenario")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=20)
    arguments = parser.parse_args()
    rows = asyncio.run(main(arguments.versions, arguments.clients, arguments.warmup))
    sys.exit(0 if all(row["numbers_exactly_1_to_n"] for row in rows) else 1)
