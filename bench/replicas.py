"""Replicas benchmark: a studio of four projects with separate teams scheduled end to end by one scheduler
worker, then by two, on the same show in the same run.

Usage: .venv/bin/python bench/replicas.py [--leaves 15000] [--projects 4] [--seed 8] [--compute-resources]

The catalog (PostgreSQL) with its real workers, and scheduler Runtimes (their own SQLite inbox/outbox, the
scheduler settings' default runner) on one in-process broker. The show (`show.describe_teams`: the leaves
split evenly between the projects, each with its own artists) is bulk-created over HTTP (ASGI), then
`POST /studios/{id}/schedule` is timed to the job seen completed (every part's dates committed):
1. with ONE scheduler worker (it takes one part at a time: the parts run one after the other);
2. with TWO scheduler workers consuming the same queue (fresh Runtimes, so no outcome cache is warm).
Each worker first schedules a tiny studio through its own handler, as a running worker would have (its
warm tj3 driver has started with it), so the timings are the studio's alone.
Checks: the committed dates of both runs are equal, and equal to a plain `/usr/bin/tj3` run of the whole
studio (bench/scheduling.py's plain_tj3_check). Prints a table; writes bench/results/replicas.json.
Needs PostgreSQL (STALKER_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres) and tj3.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select, update

sys.path.insert(0, str(Path(__file__).parent))
from catalog_bulk import PASSWORD, server_url, with_database
from scheduling import TJ3, _version, create_shows, ok, plain_tj3_check, scratch_database
from show import counts, describe_teams

from stalker_catalog.db.models import ScheduleJobPart, Studio
from stalker_catalog.db.schedule_queries import TASKS
from stalker_catalog.db.schedule_snapshot import build_schedule_request
from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.auth import generate_private_pem
from stalker_shared.consumer import SlowHandler
from stalker_shared.contracts import Envelope
from stalker_shared.contracts.scheduling import (
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleCompleted,
    ScheduleRequested,
    StudioSnapshot,
    TaskSnapshot,
)
from stalker_shared.http import create_service_app
from stalker_shared.logging import configure_logging
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

API = "/catalog/v1"
RESULTS = Path(__file__).parent / "results" / "replicas.json"


async def scheduled_by(
    catalog: Runtime,
    client: httpx.AsyncClient,
    studio_id: int,
    *,
    replicas: int,
    data_dir: Path,
    compute_resources: bool,
) -> dict[str, Any]:
    """Start `replicas` scheduler workers on the catalog's broker, schedule the studio, stop them."""
    transport = catalog.transport
    assert isinstance(transport, InMemoryTransport)
    schedulers = []
    for replica in range(replicas):
        # The relays are woken by their own commits; a slow poll keeps idle CPU off the cores tj3 needs.
        settings = SchedulerSettings(
            data_dir=data_dir / f"scheduler-{replicas}-{replica}", outbox_poll_interval=0.5
        )
        runtime = Runtime(scheduler_definition(settings), settings, InMemoryTransport(transport.broker))
        await runtime.open(migrate=True)
        schedulers.append((runtime, ServiceWorkers(runtime)))
    # Running replicas are warm (their warm tj3 driver starts with the worker): each schedules a tiny studio
    # through its own handler first, so the timing is the studio's alone.
    await asyncio.gather(*(warm_up(runtime) for runtime, _ in schedulers))
    for _, workers in schedulers:
        await workers.start()
    try:
        started = time.perf_counter()
        body = {"compute_resources": compute_resources}
        job = await ok(await client.post(f"{API}/studios/{studio_id}/schedule", json=body), 202)
        accepted = time.perf_counter() - started  # the snapshot is taken and the parts sent in the POST
        while job["status"] not in ("completed", "failed"):
            await asyncio.sleep(0.1)
            job = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}"))
        seconds = time.perf_counter() - started
    finally:
        for runtime, workers in schedulers:
            await workers.stop(grace=10)
            await runtime.close()
    assert job["status"] == "completed", job
    async with catalog.unit_of_work() as uow:
        parts = (
            await uow.session.scalars(
                select(ScheduleJobPart)
                .where(ScheduleJobPart.job_id == job["id"])
                .order_by(ScheduleJobPart.part)
            )
        ).all()
    began = datetime.fromisoformat(job["started_at"])
    return {
        "replicas": replicas,
        "end_to_end": round(seconds, 3),
        "accepted": round(accepted, 3),
        "parts_applied_after_start": [
            round(((part.finished_at or began) - began).total_seconds(), 3) for part in parts
        ],
        "parts": job["parts"],
        "tasks_scheduled": job["tasks_scheduled"],
        "part_tasks": [part.tasks for part in parts],
        "part_tj3_seconds": [round((part.timings or {}).get("tj3", 0.0), 3) for part in parts],
        "timings_summed_over_parts": {k: round(v, 3) for k, v in sorted((job["timings"] or {}).items())},
    }


async def warm_up(runtime: Runtime) -> None:
    [subscription] = runtime.definition.subscriptions
    handler = subscription.handlers[ScheduleRequested]
    assert isinstance(handler, SlowHandler)
    start = datetime(2025, 1, 6, tzinfo=UTC)
    tiny = ScheduleRequested(
        job_id=0,
        studio=StudioSnapshot(id=1, name="warm-up", now=start, start=start, end=start + timedelta(days=30)),
        resources=(ResourceSnapshot(id=1, name="a", login="a"),),
        projects=(ProjectSnapshot(id=1, code="W", name="W"),),
        tasks=(TaskSnapshot(id=1, project_id=1, name="t", resources=(1,)),),
    )
    outcome = await handler.prepare(Envelope.wrap(tiny, correlation_id="warm-up", causation_id=None), tiny)
    assert isinstance(outcome, ScheduleCompleted), outcome


async def forget_dates(catalog: Runtime) -> None:
    async with catalog.engine.begin() as connection:
        await connection.execute(update(TASKS).values(computed_start=None, computed_end=None))


async def committed_dates(catalog: Runtime) -> dict[int, tuple[datetime | None, datetime | None]]:
    async with catalog.engine.connect() as connection:
        rows = await connection.execute(select(TASKS.c.id, TASKS.c.computed_start, TASKS.c.computed_end))
        return {row.id: (row.computed_start, row.computed_end) for row in rows}


async def run(leaves: int, projects: int, seed: int, compute_resources: bool) -> dict[str, Any]:
    shows = describe_teams(leaves, projects, seed)
    async with scratch_database("stalker_bench_replicas") as name:
        with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
            data_dir = Path(tmp)
            settings = CatalogSettings(
                database_url=with_database(server_url(), name, "postgresql+asyncpg"),
                data_dir=data_dir / "catalog",
                admin_password=SecretStr(PASSWORD),
                jwt_private_key=SecretStr(generate_private_pem()),
                environment="test",
                outbox_poll_interval=0.5,
            )
            catalog = Runtime(catalog_definition(), settings, InMemoryTransport(InMemoryBroker()))
            await catalog.migrate()
            await catalog.open(migrate=False)
            workers = ServiceWorkers(catalog)
            await workers.start()
            try:
                app = create_service_app(catalog, manage_runtime=False)
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://catalog.bench", timeout=60
                ) as client:
                    form = {"username": "admin", "password": PASSWORD}
                    token = await ok(await client.post(f"{API}/auth/token", data=form))
                    client.headers["Authorization"] = f"Bearer {token['access_token']}"
                    started = time.perf_counter()
                    studio_id, _ = await create_shows(client, shows)
                    created = time.perf_counter() - started
                    runs, dates = [], []
                    for replicas in (1, 2):
                        await forget_dates(catalog)  # each run must write every date itself
                        kwargs = {"data_dir": data_dir, "compute_resources": compute_resources}
                        result = await scheduled_by(catalog, client, studio_id, replicas=replicas, **kwargs)
                        print(
                            f"  {replicas} scheduler worker(s): {result['end_to_end']:.1f} s", file=sys.stderr
                        )
                        runs.append(result)
                        dates.append(await committed_dates(catalog))
                    async with catalog.unit_of_work() as uow:
                        studio = await uow.session.get_one(Studio, studio_id)
                        whole = await build_schedule_request(
                            uow.session, studio, job_id=0, project_ids=None, compute_resources=False
                        )
                    check = await plain_tj3_check(catalog, whole)
            finally:
                await workers.stop(grace=10)
                await catalog.close()
    total = [counts(show) for show in shows]
    return {
        "show": {
            "projects": projects,
            "leaves": sum(c["leaves"] for c in total),
            "tasks": sum(c["tasks"] for c in total),
            "users": sum(c["users"] for c in total),
            "seed": seed,
        },
        "compute_resources": compute_resources,
        "create_seconds": round(created, 3),
        "one_worker": runs[0],
        "two_workers": runs[1],
        "speedup": round(runs[0]["end_to_end"] / runs[1]["end_to_end"], 2),
        "dates_equal_between_runs": dates[0] == dates[1]
        and all(start and end for start, end in dates[1].values()),
        "plain_tj3_check": check,
    }


def table(result: dict[str, Any]) -> str:
    show = result["show"]
    one, two = result["one_worker"], result["two_workers"]
    head = ["leaves (tasks, users)", "projects", "parts", "1 worker", "2 workers", "speedup", "dates"]
    dates_ok = result["dates_equal_between_runs"] and result["plain_tj3_check"]["dates_equal"]
    row = [
        f"{show['leaves']} ({show['tasks']}, {show['users']})",
        str(show["projects"]),
        str(one["parts"]),
        f"{one['end_to_end']:.1f} s",
        f"{two['end_to_end']:.1f} s",
        f"{result['speedup']:.2f}",
        "equal" if dates_ok else "DIFFER",
    ]
    width = [max(len(head[i]), len(row[i])) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width[i]) for i, cell in enumerate(cells)) for cells in (head, row)]
    lines.append(
        f"  tj3 seconds per part: {one['part_tj3_seconds']} (1 worker), {two['part_tj3_seconds']} (2)"
    )
    lines.append(
        f"  parts applied, seconds after the job started: {one['parts_applied_after_start']} (1 worker), "
        f"{two['parts_applied_after_start']} (2); POST answered in {one['accepted']:.2f} s"
    )
    lines.append(
        f"  plain tj3 (whole studio, no YJIT): {result['plain_tj3_check']['plain_tj3_seconds_no_yjit']:.1f} s"
    )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    configure_logging("WARNING", json=False)  # the services' info lines would bury the progress
    result = await run(args.leaves, args.projects, args.seed, args.compute_resources)
    result["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "tj3": (await _version(TJ3)).splitlines()[0],
        "scheduler_runner": "the SchedulerSettings defaults",
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=15000, help="leaf tasks of the whole studio")
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--compute-resources", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    print(table(outcome))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(outcome, indent=2) + "\n")
    print(f"written {arguments.output}", file=sys.stderr)
