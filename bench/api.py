"""API benchmarks side by side with the reference: bulk task writes, listing them, creating versions.

Usage: .venv/bin/python bench/api.py [--tasks 10000] [--versions 400] [--clients 8] [--skip-reference]

One run, on the local PostgreSQL (STALKER_TEST_POSTGRES_URL), each side on its own scratch database:
- the reference (Stalker 1.1.2.1 in its own venv, `reference/api_driver.py`): the show's nodes created
  through its ORM and committed once; every task of the project queried back, then the filtered query;
  versions of the tutorial's comp task, each committed with its path rendered, by 1 process, then by
  `--clients` processes at once (its numbers are counted for duplicates);
- ours, in this process over httpx's ASGI transport (routing, validation, token checks, handlers and
  JSON are measured, the network is not): one `POST /catalog/v1/tasks/bulk` with the same nodes; every
  task of the project read back through `GET /catalog/v1/tasks` in pages of 1,000, and the filtered
  list; versions by `POST /versions/v1/tasks/{id}/versions`, 1 client, then `--clients` at once, on one
  task and take (numbers checked to be exactly 1..n).
The table is printed and `results/api.json` written; `BENCHMARKS.md` holds the figures and the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).parent))

from catalog_bulk import admin_sql, create_project, measure_bulk, server_url, show_items, with_database
from reference.venv import ensure_reference_python
from versions_publish import feed_read_model, run_scenario, set_up_storage

from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_client._http import json_body
from stalker_shared.auth import Principal, generate_private_pem, issue_token, public_pem_of
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.process import settle_heap
from stalker_shared.runtime import Runtime
from stalker_versions.definition import versions_definition
from stalker_versions.settings import VersionsSettings

DRIVER = Path(__file__).parent / "reference" / "api_driver.py"
RESULTS = Path(__file__).parent / "results" / "api.json"
PASSWORD = "bench-admin-password"
FILTER = {"status__in": "RTS,WFD", "name__contains": "anim"}
PAGE = 1000


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def reference(python: Path, mode: str, *arguments: str) -> dict[str, Any]:
    """One reference driver run on a fresh database; its JSON result. `arguments` go before the
    database URL in `tasks` mode (the items file) and after the output file in `versions` mode."""
    async with scratch_database("stalker_ref_api") as name:
        with tempfile.TemporaryDirectory(prefix="bench-ref-api-") as tmp:
            out = Path(tmp) / "out.json"
            url = with_database(server_url(), name, "postgresql+psycopg2")
            if mode == "tasks":
                command = [str(python), str(DRIVER), mode, *arguments, url, str(out)]
            else:
                command = [str(python), str(DRIVER), mode, url, str(out), *arguments]
            process = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            _, stderr = await process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"reference driver failed: {stderr.decode()[-3000:]}")
            result: dict[str, Any] = json.loads(out.read_text())
            return result


async def read_all(client: httpx.AsyncClient, params: dict[str, Any]) -> tuple[int, float]:
    """Every page of GET /catalog/v1/tasks with these filters: (tasks read, seconds). Each page is
    decoded by our Python client's own function, so the figure is what a pipeline script gets."""
    started = time.perf_counter()
    offset, read, total = 0, 0, None
    while total is None or offset < total:
        response = await client.get(
            "/catalog/v1/tasks", params={**params, "limit": PAGE, "offset": offset}, timeout=120
        )
        assert response.status_code == 200, response.text[:500]
        page = json_body(response)
        total = page["total"]
        read += len(page["items"])
        offset += PAGE
    return read, time.perf_counter() - started


async def our_tasks(items_for: Any, count: int) -> dict[str, Any]:
    async with scratch_database("stalker_bench_api") as name:
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
            transport = httpx.ASGITransport(app=create_service_app(runtime, manage_runtime=False))
            settle_heap()  # as the service's processes do once started
            try:
                async with httpx.AsyncClient(transport=transport, base_url="http://catalog.bench") as client:
                    token = await client.post(
                        "/catalog/v1/auth/token", data={"username": "admin", "password": PASSWORD}
                    )
                    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
                    project_id = await create_project(client, "SHOW")
                    bulk = await measure_bulk(client, runtime, items_for(project_id, count))
                    async with runtime.engine.begin() as connection:  # committed: ANALYZE is transactional
                        await connection.exec_driver_sql("ANALYZE")  # as autovacuum does after a load
                    everything = await read_all(client, {"project_id": project_id})
                    filtered = await read_all(client, {"project_id": project_id, **FILTER})
                    everything_again = await read_all(client, {"project_id": project_id})
            finally:
                await runtime.close()
    return {
        "create": {
            "tasks": bulk["tasks"],
            "seconds": bulk["seconds"],
            "tasks_per_second": bulk["tasks_per_second"],
            "sql_statements": bulk["sql_statements"],
        },
        "list": {
            "all": {"tasks": everything[0], "seconds": min(everything[1], everything_again[1])},
            "filtered": {"tasks": filtered[0], "seconds": filtered[1]},
            "page_size": PAGE,
        },
    }


async def our_versions(total: int, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        async with scratch_database("stalker_bench_api_versions") as name:
            return await _versions_on(
                with_database(server_url(), name, "postgresql+asyncpg"), data_dir, total, clients
            )


async def _versions_on(url: str, data_dir: str, total: int, clients: int) -> dict[str, Any]:
    private = generate_private_pem()
    settings = VersionsSettings(
        database_url=url, data_dir=Path(data_dir), jwt_public_key=public_pem_of(private)
    )
    runtime = Runtime(versions_definition(), settings, InMemoryTransport(InMemoryBroker()))
    try:
        await runtime.open(migrate=True)
        task_ids = await feed_read_model(runtime, 2)
        token = issue_token(private, Principal(3, "admin", True), timedelta(hours=1))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_service_app(runtime, manage_runtime=False)),
            base_url="http://versions.bench",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            settle_heap()  # as the service's processes do once started
            await set_up_storage(client)
            await run_scenario(client, "warm-up", 1, task_ids[-1:], 20, "Warmup")
            one = await run_scenario(client, "1 client", 1, task_ids[:1], total, "Main")
            many = await run_scenario(client, f"{clients} clients", clients, task_ids[:1], total, "Alt")
    finally:
        await runtime.close()
    return {"1": one, str(clients): many}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"tasks": args.tasks, "versions": args.versions, "clients": args.clients}
    if not args.skip_reference:
        python = ensure_reference_python()
        with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
            items = Path(tmp) / "items.json"
            items.write_text(json.dumps(show_items(0, args.tasks)))
            print("reference: tasks", file=sys.stderr)
            ref_tasks = await reference(python, "tasks", str(items))
        ref_versions = {}
        for processes in (1, args.clients):
            print(f"reference: versions by {processes} process(es)", file=sys.stderr)
            ref_versions[str(processes)] = await reference(
                python, "versions", "--versions", str(args.versions), "--processes", str(processes)
            )
        results["reference"] = {"tasks": ref_tasks, "versions": ref_versions}
    print("ours: tasks", file=sys.stderr)
    ours_tasks = await our_tasks(show_items, args.tasks)
    print("ours: versions", file=sys.stderr)
    results["ours"] = {"tasks": ours_tasks, "versions": await our_versions(args.versions, args.clients)}
    results["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return results


def table(results: dict[str, Any]) -> str:
    ours, ref = results["ours"], results.get("reference")
    clients = str(results["clients"])
    rows: list[tuple[str, str, str, str]] = [("work", "reference", "ours", "ours / reference")]

    def rate_row(label: str, mine: float, theirs: float | None, unit: str) -> None:
        rows.append(
            (
                label,
                f"{theirs:,.1f} {unit}" if theirs is not None else "-",
                f"{mine:,.1f} {unit}",
                f"{mine / theirs:.2f}x" if theirs else "-",
            )
        )

    def time_row(label: str, mine: float, theirs: float | None) -> None:
        rows.append(
            (
                label,
                f"{theirs:.3f} s" if theirs is not None else "-",
                f"{mine:.3f} s",
                f"{theirs / mine:.2f}x faster" if theirs else "-",
            )
        )

    tasks = ours["tasks"]
    rate_row(
        f"create {tasks['create']['tasks']:,} tasks",
        tasks["create"]["tasks_per_second"],
        ref["tasks"]["create"]["tasks_per_second"] if ref else None,
        "tasks/s",
    )
    for key, label in (("all", "list every task"), ("filtered", "list filtered")):
        time_row(
            f"{label} ({tasks['list'][key]['tasks']:,} tasks)",
            tasks["list"][key]["seconds"],
            ref["tasks"]["list"][key]["seconds"] if ref else None,
        )
    for key in ("1", clients):
        mine = ours["versions"][key]
        theirs = ref["versions"][key] if ref else None
        rate_row(
            f"versions, {key} client(s), one task",
            mine["versions_per_second"],
            theirs["versions_per_second"] if theirs else None,
            "versions/s",
        )
        rows.append(
            (
                "  duplicate numbers",
                f"{theirs['duplicated']} of {theirs['versions']}" if theirs else "-",
                "0" if mine["numbers_exactly_1_to_n"] else "DUPLICATES",
                "",
            )
        )
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)) for row in rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    print(table(outcome))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(outcome, indent=2) + "\n")
    print(f"written {arguments.output}", file=sys.stderr)
