"""Scheduling benchmark: the same show scheduled by the reference (Stalker 1.1.2.1) and by our services.

Usage: .venv/bin/python bench/scheduling.py [--leaves 1000 5000 15000] [--seed 8] [--skip-reference]
       [--half-done]

For each size, one after the other (never two tj3 runs at once):
1. the reference, in its own venv outside the repo (bench/reference/), on a scratch PostgreSQL database:
   create the show through its ORM, then `Studio.schedule()` with TaskJugglerScheduler, compute_resources
   False, then True (each on a fresh database);
2. ours: the catalog (PostgreSQL) and the scheduler worker with their real consumers and outboxes on one
   in-process broker; the show bulk-created over HTTP (ASGI, no network), then
   `POST /studios/{id}/schedule` without and with compute_resources, timed from the request to the job seen
   completed (every computed date committed), then the same request again (answered from the cache);
3. the check: the last run's snapshot rendered and given to a plain `/usr/bin/tj3` (no YJIT, no cache);
   every committed task and project date must equal that run's. Its time is tj3 without YJIT.
Each run's peak memory is sampled too (bench/memory.py): the reference driver's process tree (its Python
with the ORM's objects, and its tj3), and ours (this process, holding catalog, scheduler and client, with
the warm Ruby server and the child it forks).
The "half-done show" case (`--half-done`): before it is scheduled, the show is given the time logs of a
third of its tasks and `now` moves past them (bench/half_done.py); the reference creates the same logs
through its TimeLog, ours are inserted as rows (the catalog's time-log API is not what is measured), then
both sides schedule exactly as above, and the check compares with a plain tj3 run the same way.
Prints a table; writes bench/results/scheduling.json (scheduling_half_done.json). Needs PostgreSQL
(STALKER_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres) and tj3 at /usr/bin/tj3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Table, insert, select, update

sys.path.insert(0, str(Path(__file__).parent))
from catalog_bulk import PASSWORD, admin_sql, server_url, with_database
from half_done import half_done
from memory import TreeMemory
from reference.venv import DRIVER, ensure_reference_python
from show import bulk_items, counts, describe

import stalker_catalog.service.scheduling as catalog_scheduling
from stalker_catalog.db.models import TimeLog, User
from stalker_catalog.db.schedule_queries import PROJECTS, TASKS
from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_scheduler.tjp import render_tjp
from stalker_scheduler.tjp.parse import parse_csv
from stalker_shared.auth import generate_private_pem
from stalker_shared.contracts.scheduling import ScheduleRequested
from stalker_shared.http import create_service_app
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

API = "/catalog/v1"
TJ3 = "/usr/bin/tj3"
RESULTS = Path(__file__).parent / "results" / "scheduling.json"
PROBE: dict[str, Any] = {}
"""Filled by the wrappers below: the catalog's snapshot and apply times, and the last snapshot sent."""


def _instrument() -> None:
    """Time the catalog's snapshot and apply steps (wrapped where the service looks them up)."""
    build = getattr(catalog_scheduling, "build_schedule_request")  # noqa: B009
    apply = catalog_scheduling.apply_completed

    async def timed_build(*args: Any, **kwargs: Any) -> ScheduleRequested:
        started = time.perf_counter()
        request: ScheduleRequested = await build(*args, **kwargs)
        PROBE["snapshot"], PROBE["request"] = time.perf_counter() - started, request
        return request

    async def timed_apply(*args: Any) -> None:
        started = time.perf_counter()
        await apply(*args)
        PROBE["apply"] = time.perf_counter() - started

    # setattr: the service module looks both names up at call time (the definition at build time).
    setattr(catalog_scheduling, "build_schedule_request", timed_build)  # noqa: B010
    setattr(catalog_scheduling, "apply_completed", timed_apply)  # noqa: B010


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def reference_run(
    python: Path, show_file: Path, compute_resources: bool, progress_file: Path | None = None
) -> dict[str, Any]:
    """One reference run on a fresh database: creation (and the time logs), then Studio.schedule() and
    commit."""
    async with scratch_database("stalker_ref_bench") as name:
        out = show_file.with_suffix(f".ref{int(compute_resources)}.json")
        command = [
            str(python),
            str(DRIVER),
            str(show_file),
            with_database(server_url(), name, "postgresql+psycopg2"),
        ]
        command += [str(out)] + (["--compute-resources"] if compute_resources else [])
        command += ["--progress", str(progress_file)] if progress_file else []
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        memory = TreeMemory(process.pid).start()  # its Python (the ORM's objects) and its tj3
        _, stderr = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"reference driver failed: {stderr.decode()[-3000:]}")
        result: dict[str, Any] = json.loads(out.read_text())
        result["memory"] = memory.stop()
        out.unlink()
        return result


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


async def create_shows(client: httpx.AsyncClient, shows: list[dict[str, Any]]) -> tuple[int, dict[str, int]]:
    """One studio (the first show's calendar); the departments once, each show's artists in them; each show
    a project with its bulk-created tasks. The studio id and the task ids by ref (of every show)."""
    calendar = shows[0]["studio"]
    studio = await ok(
        await client.post(
            f"{API}/studios",
            json={
                "name": "Bench Studio",
                "now": calendar["now"],
                "start": calendar["start"],
                "duration": calendar["days"],
            },
        ),
        201,
    )
    departments: dict[str, int] = {}
    ids: dict[str, int] = {}
    for show in shows:
        user_ids: dict[str, int] = {}
        for department in show["departments"]:
            name = department["name"]
            if name not in departments:
                made = await ok(await client.post(f"{API}/departments", json={"name": name}), 201)
                departments[name] = made["id"]
            for login in department["users"]:
                body = {
                    "name": login,
                    "login": login,
                    "email": f"{login}@bench.example",
                    "password": "bench-artist",
                    "department_ids": [departments[name]],
                }
                user_ids[login] = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
        for leave in show.get("vacations", ()):
            owner = user_ids[leave["user"]] if leave["user"] else None
            body = {"user_id": owner, "start": leave["start"], "end": leave["end"]}
            await ok(await client.post(f"{API}/vacations", json=body), 201)
        project = await ok(await client.post(f"{API}/projects", json=show["project"]), 201)
        items = bulk_items(show, project["id"], user_ids)
        made = await ok(await client.post(f"{API}/tasks/bulk", json={"items": items}, timeout=900), 201)
        ids |= {item["ref"]: item["id"] for item in made["items"] if item["ref"]}
    return int(studio["id"]), ids


async def create_show(client: httpx.AsyncClient, show: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """Studio, departments, users, project and the bulk-created tasks; the studio id and ids by ref."""
    return await create_shows(client, [show])


async def schedule_once(client: httpx.AsyncClient, studio_id: int, compute_resources: bool) -> dict[str, Any]:
    """POST the request, poll until the job is completed; timings of every step."""
    PROBE.clear()
    memory = TreeMemory().start()  # this process (catalog, scheduler, client) and the warm Ruby
    started = time.perf_counter()
    job = await ok(
        await client.post(
            f"{API}/studios/{studio_id}/schedule", json={"compute_resources": compute_resources}
        ),
        202,
    )
    accepted = time.perf_counter() - started
    while job["status"] not in ("completed", "failed"):
        await asyncio.sleep(0.05)
        job = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}"))
    total = time.perf_counter() - started
    used = memory.stop()
    assert job["status"] == "completed", job
    timings = {name: round(value, 3) for name, value in sorted((job["timings"] or {}).items())}
    return {
        "compute_resources": compute_resources,
        "end_to_end": round(total, 3),
        "accepted": round(accepted, 3),
        "snapshot": round(PROBE["snapshot"], 3),
        **timings,
        "apply": round(PROBE["apply"], 3),
        "tasks_scheduled": job["tasks_scheduled"],
        "memory": used,
    }


async def plain_tj3_check(runtime: Runtime, request: ScheduleRequested) -> dict[str, Any]:
    """The snapshot rendered and scheduled by a plain tj3; committed dates compared with its own."""
    with tempfile.TemporaryDirectory(prefix="bench-plain-tj3-") as workdir:
        tjp_text = render_tjp(request, "breakdown")
        (Path(workdir) / "plain.tjp").write_text(tjp_text, encoding="utf-8")
        if SAVE_TJP is not None:
            SAVE_TJP.mkdir(parents=True, exist_ok=True)
            (SAVE_TJP / f"show-{len(request.tasks)}.tjp").write_text(tjp_text, encoding="utf-8")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": workdir,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
        }
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            TJ3,
            "--no-color",
            "plain.tjp",
            "-o",
            workdir,
            cwd=workdir,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()[-2000:]
        seconds = time.perf_counter() - started
        csv_text = await asyncio.to_thread(_read_report, Path(workdir))
        # With compute_resources the .tjp also exports tj3's bookings: where it placed each hour of work.
        PROBE["plain_bookings"] = await asyncio.to_thread(_read_export, Path(workdir))
    tasks, projects = parse_csv(csv_text, request.studio.timezone)
    async with runtime.engine.connect() as connection:
        rows = (
            await connection.execute(select(TASKS.c.id, TASKS.c.computed_start, TASKS.c.computed_end))
        ).all()
        project_rows = (
            await connection.execute(
                select(PROJECTS.c.id, PROJECTS.c.computed_start, PROJECTS.c.computed_end)
            )
        ).all()
    committed = {row.id: (row.computed_start, row.computed_end) for row in rows}
    mismatched = [
        task_id
        for task_id, result in tasks.items()
        if committed.get(task_id) != (result.computed_start, result.computed_end)
    ]
    mismatched += [
        -p.id
        for p in projects.values()
        if (p.computed_start, p.computed_end) not in {(r[1], r[2]) for r in project_rows}
    ]
    return {
        "plain_tj3_seconds_no_yjit": round(seconds, 3),
        "tasks_compared": len(tasks),
        "projects_compared": len(projects),
        "mismatches": len(mismatched),
        "dates_equal": not mismatched and len(tasks) == len(request.tasks),
    }


SAVE_TJP: Path | None = None


def _read_report(directory: Path) -> str:
    return next(directory.glob("*.csv")).read_text(encoding="utf-8")


def _read_export(directory: Path) -> str | None:
    found = next(directory.glob("*-bookings.tji"), None)
    return found.read_text(encoding="utf-8") if found else None


async def log_work(
    runtime: Runtime, client: httpx.AsyncClient, studio_id: int, ids: dict[str, int], progress: dict[str, Any]
) -> None:
    """The half-done show's time logs and statuses as rows (one insert), and the studio's `now` moved."""
    async with runtime.unit_of_work() as uow:
        session = uow.session
        users = {row.login: row.id for row in await session.execute(select(User.login, User.id))}
        task_rows = await session.execute(
            select(TASKS.c.id, TASKS.c.project_id).where(TASKS.c.id.in_(ids.values()))
        )
        projects = {row.id: row.project_id for row in task_rows}
        rows = [
            {
                "task_id": ids[log["ref"]],
                "project_id": projects[ids[log["ref"]]],
                "resource_id": users[log["user"]],
                "start": _instant(log["start"]),
                "end": _instant(log["end"]),
                "description": "",
            }
            for log in progress["logs"]
        ]
        await session.execute(insert(cast_table(TimeLog)), rows)
        for status in ("WIP", "CMPL"):
            chosen = [ids[ref] for ref, value in progress["status"].items() if value == status]
            await session.execute(update(TASKS).where(TASKS.c.id.in_(chosen)).values(status=status))
        await uow.commit()
    await ok(await client.patch(f"{API}/studios/{studio_id}", json={"now": progress["now"]}))


async def kept_work(
    runtime: Runtime, ids: dict[str, int], progress: dict[str, Any], exported: str | None
) -> dict[str, int]:
    """How many logged tasks start at their first log, and how many hours of work tj3 placed before `now`
    that were not logged there (from the plain run's booking export; the studio is UTC, slots of 1 h)."""
    first: dict[str, datetime] = {}
    logged: set[tuple[int, datetime]] = set()
    for log in progress["logs"]:
        first.setdefault(log["ref"], _instant(log["start"]))
        logged |= {(ids[log["ref"]], hour) for hour in _hours(_instant(log["start"]), _instant(log["end"]))}
    now = _instant(progress["now"])
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(select(TASKS.c.id, TASKS.c.computed_start))
        starts = {row.id: row.computed_start for row in rows}
    placed = _exported_hours(exported or "")
    return {
        "logged_tasks_starting_at_their_first_log": sum(starts[ids[ref]] == first[ref] for ref in first),
        "logged_tasks": len(first),
        "hours_placed_before_now_not_logged": sum(1 for key in placed if key[1] < now and key not in logged),
        "logged_hours": len(logged),
        "logged_hours_booked_where_logged": len(logged & placed),
        "exported_hours": len(placed) if exported else -1,
    }


_EXPORTED_TASK = re.compile(r"^supplement task \S*?Task_(\d+) \{")
_EXPORTED_INTERVAL = re.compile(r"(\d{4}-\d\d-\d\d-\d\d:\d\d)-?([+-]\d{4}) \+ ([\d.]+)h")


def _exported_hours(text: str) -> set[tuple[int, datetime]]:
    """(task id, hour) of every booked hour in tj3's booking export."""
    hours: set[tuple[int, datetime]] = set()
    task_id = None
    for line in text.splitlines():
        if opened := _EXPORTED_TASK.match(line):
            task_id = int(opened.group(1))
        for start, offset, length in _EXPORTED_INTERVAL.findall(line):
            begin = datetime.strptime(start + offset, "%Y-%m-%d-%H:%M%z")
            hours |= {(task_id or 0, hour) for hour in _hours(begin, begin + timedelta(hours=float(length)))}
    return hours


def _hours(start: datetime, end: datetime) -> list[datetime]:
    count = int((end - start).total_seconds() // 3600)
    return [(start + timedelta(hours=n)).astimezone(UTC) for n in range(count)]


def cast_table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def ours(
    show: dict[str, Any], data_dir: Path, *, yjit: bool = True, progress: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Our catalog and scheduler workers on one in-process broker: create the show (half done with
    `progress`), schedule it."""
    async with scratch_database("stalker_bench_sched") as name:
        broker = InMemoryBroker()
        catalog_settings = CatalogSettings(
            database_url=with_database(server_url(), name, "postgresql+asyncpg"),
            data_dir=data_dir / "catalog",
            admin_password=SecretStr(PASSWORD),
            jwt_private_key=SecretStr(generate_private_pem()),
            environment="test",
            outbox_poll_interval=0.05,
        )
        catalog = Runtime(catalog_definition(), catalog_settings, InMemoryTransport(broker))
        await catalog.migrate()
        await catalog.open(migrate=False)
        scheduler_settings = SchedulerSettings(
            data_dir=data_dir / "scheduler", outbox_poll_interval=0.05, tj3_path=TJ3, tj3_yjit=yjit
        )
        scheduler = Runtime(
            scheduler_definition(scheduler_settings), scheduler_settings, InMemoryTransport(broker)
        )
        await scheduler.open(migrate=True)
        workers = [ServiceWorkers(catalog), ServiceWorkers(scheduler)]
        for worker in workers:
            await worker.start()
        try:
            transport = httpx.ASGITransport(app=create_service_app(catalog, manage_runtime=False))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://catalog.bench", timeout=60
            ) as client:
                token = await ok(
                    await client.post(f"{API}/auth/token", data={"username": "admin", "password": PASSWORD})
                )
                client.headers["Authorization"] = f"Bearer {token['access_token']}"
                started = time.perf_counter()
                studio_id, ids = await create_show(client, show)
                if progress is not None:
                    await log_work(catalog, client, studio_id, ids, progress)
                created = time.perf_counter() - started
                runs = [await schedule_once(client, studio_id, cr) for cr in (False, True)]
                request = PROBE["request"]
                repeated = await schedule_once(client, studio_id, True)
                check = await plain_tj3_check(catalog, request)
                if progress is not None:
                    check |= await kept_work(catalog, ids, progress, PROBE.get("plain_bookings"))
                dates = await _dates_by_ref(catalog, ids)
        finally:
            for worker in workers:
                await worker.stop(grace=10)
            await scheduler.close()
            await catalog.close()
    return {
        "create_seconds": round(created, 3),
        "runs": runs,
        "repeated": repeated,
        "check": check,
        "dates": dates,
    }


async def _dates_by_ref(runtime: Runtime, ids: dict[str, int]) -> dict[str, list[str]]:
    async with runtime.engine.connect() as connection:
        rows = (
            await connection.execute(select(TASKS.c.id, TASKS.c.computed_start, TASKS.c.computed_end))
        ).all()
    by_id = {row.id: row for row in rows}
    return {
        ref: [_utc(by_id[task_id].computed_start), _utc(by_id[task_id].computed_end)]
        for ref, task_id in ids.items()
        if "/" in ref
    }


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def agreement(ours_dates: dict[str, list[str]], reference: dict[str, list[str]]) -> float:
    """Share of leaf tasks with the same dates in both systems (tj3 sees the tasks in another order)."""
    same = sum(1 for key, value in reference.items() if ours_dates.get(key) == value)
    return round(100 * same / max(1, len(reference)), 1)


async def one_size(
    leaves: int, seed: int, reference_python: Path | None, *, half: bool = False
) -> dict[str, Any]:
    show = describe(leaves, seed)
    size: dict[str, Any] = {"show": counts(show), "seed": seed}
    progress = half_done(show, seed=seed) if half else None
    if progress is not None:
        complete = sum(1 for value in progress["status"].values() if value == "CMPL")
        size["half_done"] = {
            "now": progress["now"],
            "time_logs": len(progress["logs"]),
            "tasks_logged": len(progress["status"]),
            "tasks_complete": complete,
        }
    with tempfile.TemporaryDirectory(prefix="bench-sched-") as tmp:
        show_file = Path(tmp) / "show.json"
        show_file.write_text(json.dumps(show))
        progress_file = None
        if progress is not None:
            progress_file = Path(tmp) / "progress.json"
            progress_file.write_text(json.dumps(progress))
        reference: dict[str, Any] = {}
        if reference_python is not None:
            for cr in (False, True):
                run = await reference_run(reference_python, show_file, cr, progress_file)
                reference["compute_resources" if cr else "default"] = run
                print(f"  reference {leaves} cr={cr}: {run['timings']['total']:.1f} s", file=sys.stderr)
        result = await ours(show, Path(tmp), progress=progress)
    print(f"  ours {leaves}: {[r['end_to_end'] for r in result['runs']]} s", file=sys.stderr)
    if reference:
        size["same_dates_as_reference_percent"] = agreement(result["dates"], reference["default"]["dates"])
        for run in reference.values():
            run["timings"] = {k: round(v, 3) for k, v in run["timings"].items()}
            run["create_seconds"] = round(run["create_seconds"], 3)
            del run["dates"]
    del result["dates"]
    size["reference"], size["ours"] = reference, result
    return size


def table(results: dict[str, Any]) -> str:
    head = [
        "leaves (tasks, users)",
        "ref",
        "ref+cr",
        "ours",
        "ours+cr",
        "x vs ref",
        "x vs ref+cr",
        "repeat",
        "dates",
    ]
    rows = [head]
    detail = [
        "ours+cr breakdown: "
        + "snapshot / render / tj3 (read, prepare, schedule, check, report) / parse / apply"
    ]
    for leaves, size in results["sizes"].items():
        runs, ref = size["ours"]["runs"], size["reference"]
        ref_default = ref.get("default", {}).get("timings", {}).get("total")
        ref_cr = ref.get("compute_resources", {}).get("timings", {}).get("total")
        show = size["show"]
        rows.append(
            [
                f"{leaves} ({show['tasks']}, {show['users']})",
                f"{ref_default:.1f} s" if ref_default else "-",
                f"{ref_cr:.1f} s" if ref_cr else "-",
                f"{runs[0]['end_to_end']:.1f} s",
                f"{runs[1]['end_to_end']:.1f} s",
                f"{ref_default / runs[0]['end_to_end']:.2f}" if ref_default else "-",
                f"{ref_cr / runs[1]['end_to_end']:.2f}" if ref_cr else "-",
                f"{size['ours']['repeated']['end_to_end']:.2f} s",
                "equal" if size["ours"]["check"]["dates_equal"] else "DIFFER",
            ]
        )
        r = runs[1]
        phases = ", ".join(
            f"{r.get(f'tj3.{p}', 0):.1f}" for p in ("read", "prepare", "schedule", "check", "report")
        )
        plain = size["ours"]["check"]["plain_tj3_seconds_no_yjit"]
        detail.append(
            f"  {leaves}: {r['snapshot']:.2f} / {r['render']:.2f} / {r['tj3']:.1f} ({phases})"
            f" / {r['parse']:.2f} / {r['apply']:.2f}; plain tj3 without YJIT {plain:.1f}"
        )
    for leaves, size in results["sizes"].items():
        if half := size.get("half_done"):
            check = size["ours"]["check"]
            detail.append(
                f"  {leaves} half done: {half['time_logs']} time logs on {half['tasks_logged']} tasks"
                f" ({half['tasks_complete']} complete), now {half['now']}; starting at their first log:"
                f" {check['logged_tasks_starting_at_their_first_log']} of {check['logged_tasks']};"
                f" logged hours booked where logged: {check['logged_hours_booked_where_logged']} of"
                f" {check['logged_hours']}; hours placed before now that were not logged:"
                f" {check['hours_placed_before_now_not_logged']} (of {check['exported_hours']} booked)"
            )
    width = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)) for row in rows]
    return "\n".join(lines + detail + memory_lines(results))


def memory_lines(results: dict[str, Any]) -> list[str]:
    """Peak MB of each run's process tree (engine high-water mark in brackets), ref then ours."""
    lines = ["peak memory, MB (tj3/Ruby high-water mark): ref / ref+cr / ours / ours+cr"]
    for leaves, size in results["sizes"].items():
        ref, runs = size["reference"], size["ours"]["runs"]
        figures = [ref.get(k, {}).get("memory") for k in ("default", "compute_resources")]
        figures += [run.get("memory") for run in runs]
        lines.append(
            f"  {leaves}: "
            + " / ".join(f"{m['peak_mb']} ({m['engine_peak_mb']})" if m else "-" for m in figures)
        )
    return lines


async def _version(command: str) -> str:
    process = await asyncio.create_subprocess_exec(command, "--version", stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    return out.decode().strip()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    _instrument()
    reference_python = None if args.skip_reference else ensure_reference_python()
    results: dict[str, Any] = {"sizes": {}}
    results["case"] = "half-done show" if args.half_done else "fresh show"
    for leaves in args.leaves:
        results["sizes"][str(leaves)] = await one_size(
            leaves, args.seed, reference_python, half=args.half_done
        )
    results["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "tj3": (await _version(TJ3)).splitlines()[0],
        "ruby": await _version("ruby"),
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, nargs="+", default=[1000, 5000, 15000])
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--output", type=Path, help=f"default {RESULTS} (or scheduling_half_done.json)")
    parser.add_argument(
        "--half-done", action="store_true", help="a third of the tasks logged and `now` moved (half_done.py)"
    )
    parser.add_argument("--save-tjp", type=Path, help="also write the checked .tjp of each size here")
    arguments = parser.parse_args()
    if arguments.output is None:
        arguments.output = RESULTS.with_name("scheduling_half_done.json") if arguments.half_done else RESULTS
    SAVE_TJP = arguments.save_tjp
    outcome = asyncio.run(main(arguments))
    print(table(outcome))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(outcome, indent=2) + "\n")
    print(f"written {arguments.output}", file=sys.stderr)
