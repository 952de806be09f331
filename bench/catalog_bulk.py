"""Catalog bulk benchmark: bulk-create a 10,000-task show, then list it back with filters, on PostgreSQL.

Usage: .venv/bin/python bench/catalog_bulk.py [--tasks 10000] [--requests 300] [--sample 500]

It creates a fresh database on the server of STALKER_TEST_POSTGRES_URL (default: the local
postgresql://postgres@127.0.0.1:5432/postgres), migrates and initializes it, and runs the catalog in
this process (Runtime + create_service_app + httpx's ASGI transport, so HTTP parsing, validation, auth
and serialization are measured, not the network). Baselines measured in the same run:
- creation one POST /v1/tasks at a time, for a sample of tasks of the same show, extrapolated;
- listing the same project with no filter.
The table is printed and bench/results/catalog_bulk.json written. The database is dropped afterwards.
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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from pydantic import SecretStr
from sqlalchemy import event

from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_shared.auth import generate_private_pem
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

API = "/catalog/v1"
STEPS = ("previs", "matchmove", "animation", "lighting", "comp")
# comp <- lighting <- animation <- previs, matchmove (the tutorial's SH001 tasks)
DEPENDS = {"animation": ["previs", "matchmove"], "lighting": ["animation"], "comp": ["lighting"]}
RESULTS = Path(__file__).parent / "results" / "catalog_bulk.json"
PASSWORD = "bench-admin-password"


def show_items(project_id: int, total: int, sequences: int = 10) -> list[dict[str, Any]]:
    """A show of ``total`` nodes: sequences, shots (children of a sequence and in it), five tasks per
    shot with the tutorial's dependencies and efforts."""
    items: list[dict[str, Any]] = []
    for s in range(1, sequences + 1):
        items.append(
            {
                "ref": f"SEQ{s:02d}",
                "kind": "sequence",
                "name": f"Sequence {s}",
                "code": f"SEQ{s:02d}",
                "project_id": project_id,
            }
        )
    shot = 0
    while len(items) + 1 + len(STEPS) <= total:
        shot += 1
        seq, code = f"SEQ{(shot - 1) % sequences + 1:02d}", f"SH{shot:05d}"
        items.append({"ref": code, "kind": "shot", "code": code, "parent_ref": seq, "sequence_refs": [seq]})
        for step in STEPS:
            depends = [f"{code}/{d}" for d in DEPENDS.get(step, [])]
            items.append(
                {
                    "ref": f"{code}/{step}",
                    "name": step,
                    "parent_ref": code,
                    "depends_on_refs": depends,
                    "schedule_timing": 2,
                    "schedule_unit": "d",
                    "priority": 500 + shot % 100,
                }
            )
    while len(items) < total:  # top up with loose tasks so the count is exact
        items.append({"name": f"extra {len(items)}", "project_id": project_id})
    return items


def server_url() -> str:
    return os.environ.get("STALKER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, name: str, scheme: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((scheme, parts.netloc, f"/{name}", "", ""))


async def admin_sql(statement: str) -> None:
    connection = await asyncpg.connect(with_database(server_url(), "postgres", "postgresql"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def timed(
    count: int, call: Callable[[], Awaitable[httpx.Response]], concurrency: int = 1
) -> dict[str, float]:
    """Run ``call`` ``count`` times (``concurrency`` at once); requests per second and latencies in ms."""
    latencies: list[float] = []
    remaining = iter(range(count))

    async def worker() -> None:
        for _ in remaining:
            started = time.perf_counter()
            response = await call()
            assert response.status_code == 200, response.text
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": count,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
    }


async def create_project(client: httpx.AsyncClient, code: str) -> int:
    response = await client.post(f"{API}/projects", json={"name": f"Bench {code}", "code": code})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def measure_bulk(
    client: httpx.AsyncClient, runtime: Runtime, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """One POST /v1/tasks/bulk with every item; its time and its SQL statements."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", record)
    started = time.perf_counter()
    response = await client.post(f"{API}/tasks/bulk", json={"items": items}, timeout=600)
    seconds = time.perf_counter() - started
    event.remove(runtime.engine.sync_engine, "before_cursor_execute", record)
    assert response.status_code == 201, response.text[:2000]
    return {
        "tasks": len(items),
        "seconds": round(seconds, 3),
        "tasks_per_second": round(len(items) / seconds, 1),
        "sql_statements": len(statements),
        "events_written": len(items),
    }


async def measure_one_by_one(client: httpx.AsyncClient, sample: list[dict[str, Any]]) -> dict[str, Any]:
    """The baseline: the same kind of items, one POST /v1/tasks each, refs resolved by the client."""
    ids: dict[str, int] = {}
    started = time.perf_counter()
    for item in sample:
        body = {
            k: v
            for k, v in item.items()
            if k not in ("ref", "parent_ref", "sequence_refs", "depends_on_refs")
        }
        if "parent_ref" in item:
            body["parent_id"] = ids[item["parent_ref"]]
        if item.get("sequence_refs"):
            body["sequence_ids"] = [ids[r] for r in item["sequence_refs"]]
        if item.get("depends_on_refs"):
            body["depends"] = [ids[r] for r in item["depends_on_refs"]]
        made = await client.post(f"{API}/tasks", json=body)
        assert made.status_code == 201, made.text
        ids[item.get("ref") or str(len(ids))] = made.json()["id"]
    seconds = time.perf_counter() - started
    return {
        "sample_tasks": len(sample),
        "seconds": round(seconds, 3),
        "tasks_per_second": round(len(sample) / seconds, 1),
    }


async def measure_lists(
    client: httpx.AsyncClient, project_id: int, requests: int, runtime: Runtime
) -> dict[str, Any]:
    """Pages of 100 with filters, with fewer fields, concurrently, and the unfiltered baseline."""
    # Table statistics, as autovacuum gathers them within a minute of a large load; without them
    # PostgreSQL plans the first queries as if the table were empty.
    async with runtime.engine.begin() as connection:  # committed: ANALYZE is transactional
        await connection.exec_driver_sql("ANALYZE")
    filtered: dict[str, Any] = {
        "project_id": project_id,
        "status__in": "RTS,WFD",
        "name__contains": "anim",
        "limit": 100,
    }
    check = (await client.get(f"{API}/tasks", params=filtered)).json()
    assert check["total"] > 0 and len(check["items"]) == 100, check.get("total")
    slim: dict[str, Any] = {**filtered, "fields": "id,name,status,parent_id"}
    unfiltered: dict[str, Any] = {"project_id": project_id, "limit": 100}

    def get(params: dict[str, Any]) -> Callable[[], Awaitable[httpx.Response]]:
        return lambda: client.get(f"{API}/tasks", params=params)

    return {
        "filter": filtered,
        "matches": check["total"],
        "runs": {
            "filtered": await timed(requests, get(filtered)),
            "filtered_concurrency_8": await timed(requests, get(filtered), 8),
            "filtered_4_fields": await timed(requests, get(slim)),
            "baseline_no_filter": await timed(requests, get(unfiltered)),
        },
    }


async def bench(args: argparse.Namespace, client: httpx.AsyncClient, runtime: Runtime) -> dict[str, Any]:
    show_id = await create_project(client, "SHOW")
    items = show_items(show_id, args.tasks)
    bulk = await measure_bulk(client, runtime, items)
    baseline = await measure_one_by_one(
        client, show_items(await create_project(client, "SAMPLE"), args.sample, 1)
    )
    per_task = baseline["seconds"] / baseline["sample_tasks"]
    baseline["extrapolated_seconds_for_bulk_size"] = round(per_task * len(items), 1)
    return {
        "bulk_create": bulk,
        "baseline_one_post_per_task": baseline,
        "bulk_speedup": round(per_task / (bulk["seconds"] / len(items)), 1),
        "list": await measure_lists(client, show_id, args.requests, runtime),
    }


@asynccontextmanager
async def catalog_on_postgres() -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """A catalog on a fresh PostgreSQL database (dropped afterwards), run in this process, and a client
    logged in as its admin (httpx's ASGI transport: no network)."""
    name = f"stalker_bench_{uuid.uuid4().hex[:10]}"
    await admin_sql(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = CatalogSettings(
                database_url=with_database(server_url(), name, "postgresql+asyncpg"),
                data_dir=Path(data_dir),
                admin_password=SecretStr(PASSWORD),
                jwt_private_key=SecretStr(generate_private_pem()),
                environment="test",
            )
            runtime = Runtime(catalog_definition(), settings, InMemoryTransport(InMemoryBroker()))
            await runtime.migrate()
            await runtime.open(migrate=False)
            app = create_service_app(runtime, manage_runtime=False)
            transport = httpx.ASGITransport(app=app)
            try:
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://catalog.bench", timeout=600
                ) as client:
                    token = await client.post(
                        f"{API}/auth/token", data={"username": "admin", "password": PASSWORD}
                    )
                    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
                    yield client, runtime
            finally:
                await runtime.close()
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main(args: argparse.Namespace) -> dict[str, Any]:
    async with catalog_on_postgres() as (client, runtime):
        async with runtime.engine.connect() as connection:
            version = (await connection.exec_driver_sql("SHOW server_version")).scalar()
        results = await bench(args, client, runtime)
    results["environment"] = {
        "python": platform.python_version(),
        "postgresql": version,
        "cpus": os.cpu_count(),
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.machine(),
        "transport": "in-process ASGI (httpx.ASGITransport), no network",
    }
    return results


def report(results: dict[str, Any]) -> str:
    bulk, base = results["bulk_create"], results["baseline_one_post_per_task"]
    rows = [
        (
            "bulk create (one POST /v1/tasks/bulk)",
            f"{bulk['tasks']} tasks",
            f"{bulk['seconds']} s",
            f"{bulk['tasks_per_second']} tasks/s",
        ),
        (
            "baseline: one POST /v1/tasks per task",
            f"{base['sample_tasks']} tasks",
            f"{base['seconds']} s",
            f"{base['tasks_per_second']} tasks/s",
        ),
        (
            "  extrapolated to the bulk size",
            f"{bulk['tasks']} tasks",
            f"{base['extrapolated_seconds_for_bulk_size']} s",
            f"bulk is x{results['bulk_speedup']}",
        ),
    ]
    for label, figures in results["list"]["runs"].items():
        rows.append(
            (
                f"list {label} (limit 100)",
                f"{figures['requests']} req",
                f"p50 {figures['p50_ms']} ms",
                f"{figures['requests_per_second']} req/s",
            )
        )
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)) for row in rows]
    lines.append(f"bulk create: {bulk['sql_statements']} SQL statements")
    lines.append(f"list filter: {results['list']['filter']} matches {results['list']['matches']} tasks")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="list requests per measurement")
    parser.add_argument("--sample", type=int, default=500, help="tasks created one POST at a time")
    results = asyncio.run(main(parser.parse_args()))
    print(report(results))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"written {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}",
        file=sys.stderr,
    )
