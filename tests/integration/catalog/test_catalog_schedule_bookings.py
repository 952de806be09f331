"""Done work kept when rescheduling (issue 14, item 5): every time log reaches tj3 as a booking of its
resource, so a reschedule mid-show keeps the logged hours where they were logged, places the remaining work
after `now`, and completed or stopped tasks keep their logged span. The dates equal a plain tj3 run of the
.tjp the scheduler renders. Time logs are written as rows (their API is not this test's subject)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from test_catalog_schedule_runs import API, ok, wait_for, workers_for

from stalker_catalog.db.models import Studio, Task, TimeLog
from stalker_catalog.db.schedule_snapshot import build_schedule_request
from stalker_scheduler.tjp import render_tjp
from stalker_scheduler.tjp.parse import parse_csv
from stalker_shared.contracts.scheduling import ScheduleRequested

from support.catalog import Catalog

pytestmark = pytest.mark.tj3
TJ3 = "/usr/bin/tj3"
MONDAY = datetime(2025, 1, 6, tzinfo=UTC)
LATER = MONDAY + timedelta(days=7, hours=12)  # the studio's `now` moved to Monday 13th, 12:00


def at(day: int, hour: float) -> datetime:
    """January 2025, day `day`, at `hour` UTC (the studio's zone)."""
    return datetime(2025, 1, day, tzinfo=UTC) + timedelta(hours=hour)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


async def show(catalog: Catalog, **studio: Any) -> dict[str, Any]:
    """A studio pinned at Monday 6th 09:00, alice and bob, one project of six tasks:
    A -> (B, C) -> D, and E and F on their own."""
    client = catalog.client
    made = await ok(
        await client.post(
            f"{API}/studios",
            json={"name": "Half Done", "now": iso(at(6, 9)), "start": iso(MONDAY), "duration": 120} | studio,
        ),
        201,
    )
    people = {}
    for login in ("alice", "bob"):
        body = {"name": login, "login": login, "email": f"{login}@example.com", "password": "Tr0ub4dor&3"}
        people[login] = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
    project = await ok(await client.post(f"{API}/projects", json={"name": "Half", "code": "HALF"}), 201)
    tasks: dict[str, int] = {}
    for name, hours, who, depends in (
        ("A", 18, "alice", []),
        ("B", 9, "bob", ["A"]),
        ("C", 27, "alice", ["A"]),
        ("D", 6, "bob", ["B", "C"]),
        ("E", 18, "bob", []),
        ("F", 27, "alice", []),
    ):
        body = {
            "name": name,
            "project_id": project["id"],
            "schedule_timing": hours,
            "schedule_unit": "h",
            "resource_ids": [people[who]],
            "depends": [tasks[d] for d in depends],
        }
        tasks[name] = (await ok(await client.post(f"{API}/tasks", json=body), 201))["id"]
    return {"studio": made["id"], "people": people, "project": project["id"], "tasks": tasks}


async def log_work(
    catalog: Catalog,
    setup: dict[str, Any],
    logs: dict[str, list[tuple[str, datetime, datetime]]],
    statuses: dict[str, tuple[str, float | None]],
) -> None:
    """Time logs as rows, and each logged task's status (and its timing, clamped as the workflow does)."""
    async with catalog.runtime.unit_of_work() as uow:
        for name, entries in logs.items():
            for login, start, end in entries:
                uow.session.add(
                    TimeLog(
                        task_id=setup["tasks"][name],
                        project_id=setup["project"],
                        resource_id=setup["people"][login],
                        start=start,
                        end=end,
                    )
                )
        for name, (status, hours) in statuses.items():
            task = await uow.session.get_one(Task, setup["tasks"][name])
            task.status = status
            if hours is not None:
                task.schedule_timing, task.schedule_unit = hours, "h"
        await uow.commit()


async def schedule(catalog: Catalog, studio_id: int) -> dict[str, Any]:
    job = await ok(await catalog.client.post(f"{API}/studios/{studio_id}/schedule", json={}), 202)
    return await wait_for(catalog.client, job["id"])


async def computed(catalog: Catalog, task_ids: dict[str, int]) -> dict[str, tuple[datetime, datetime]]:
    dates = {}
    for name, task_id in task_ids.items():
        task = await ok(await catalog.client.get(f"{API}/tasks/{task_id}"))
        dates[name] = (_instant(task["computed_start"]), _instant(task["computed_end"]))
    return dates


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def working_hours_between(start: datetime, end: datetime) -> int:
    """Whole hours of Monday to Friday, 09:00-18:00 UTC, in [start, end)."""
    hours, moment = 0, start
    while moment < end:
        hours += moment.weekday() < 5 and 9 <= moment.hour < 18
        moment += timedelta(hours=1)
    return hours


async def snapshot(catalog: Catalog, studio_id: int) -> ScheduleRequested:
    """The snapshot the catalog sends for the studio now (what the last job was given)."""
    async with catalog.runtime.unit_of_work() as uow:
        studio = await uow.session.get_one(Studio, studio_id)
        return await build_schedule_request(
            uow.session, studio, job_id=0, project_ids=None, compute_resources=False
        )


async def plain_tj3(request: ScheduleRequested) -> dict[int, tuple[datetime, datetime]]:
    """The request rendered as the scheduler renders it, run through /usr/bin/tj3, its CSV read back."""
    with tempfile.TemporaryDirectory(prefix="bookings-tj3-") as workdir:
        tjp = Path(workdir, "plain.tjp")
        await asyncio.to_thread(tjp.write_text, render_tjp(request, "plain"), encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            TJ3,
            "--no-color",
            "plain.tjp",
            "-o",
            workdir,
            cwd=workdir,
            env={"PATH": os.environ["PATH"], "HOME": workdir, "LANG": "C.UTF-8", "TZ": "UTC"},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
        report = await asyncio.to_thread(Path(workdir, "plain.csv").read_text, encoding="utf-8")
    tasks, _ = parse_csv(report, request.studio.timezone)
    return {task_id: (result.computed_start, result.computed_end) for task_id, result in tasks.items()}


LOGS: dict[str, list[tuple[str, datetime, datetime]]] = {
    # A overran its 2 days and was approved: CMPL, its timing clamped to the 22 h logged.
    "A": [("alice", at(6, 9), at(6, 18)), ("alice", at(7, 9), at(7, 18)), ("alice", at(8, 9), at(8, 13))],
    # B started once A was done: 4 of its 9 h.
    "B": [("bob", at(8, 14), at(8, 18))],
    # C: 9 of 27 h, in two logs that meet at 12:30 (off the hour grid: rounded to the nearest hour).
    "C": [("alice", at(9, 9), at(9, 12.5)), ("alice", at(9, 12.5), at(9, 18))],
    # E: 6 of 18 h, two of them on a Saturday (outside working hours, booked with overtime as in Stalker).
    "E": [("bob", at(6, 9), at(6, 13)), ("bob", at(11, 10), at(11, 12))],
    # F was stopped after 5 h: STOP, its timing clamped to them.
    "F": [("alice", at(10, 9), at(10, 14))],
}
STATUSES = {
    "A": ("CMPL", 22.0),
    "B": ("WIP", None),
    "C": ("WIP", None),
    "E": ("WIP", None),
    "F": ("STOP", 5.0),
}
REMAINING = {"B": 5, "C": 18, "D": 6, "E": 12}


async def test_a_reschedule_keeps_logged_work_and_places_the_rest_after_now(
    service: Catalog, tmp_path: Path
) -> None:
    async with workers_for(service, tmp_path) as catalog:
        setup = await show(catalog)
        ids = setup["tasks"]
        first = await schedule(catalog, setup["studio"])
        assert first["status"] == "completed", first
        planned = await computed(catalog, ids)
        assert planned["A"] == (at(6, 9), at(7, 18))  # the plan before any work was logged

        await log_work(catalog, setup, LOGS, STATUSES)
        await ok(await catalog.client.patch(f"{API}/studios/{setup['studio']}", json={"now": iso(LATER)}))
        done = await schedule(catalog, setup["studio"])
        assert done["status"] == "completed", done
        dates = await computed(catalog, ids)

        # Logged hours stay where they were logged: a task with bookings starts at its first one.
        for name, entries in LOGS.items():
            assert dates[name][0] == entries[0][1], name
        # Completed and stopped tasks keep their logged span, before `now`.
        assert dates["A"] == (at(6, 9), at(8, 13))
        assert dates["F"] == (at(10, 9), at(10, 14))
        # Nothing that remains is placed before `now`: an untouched task starts after it, and each
        # unfinished task ends no earlier than its remaining hours allow, counted from `now`.
        assert dates["D"][0] >= LATER
        for name, hours in REMAINING.items():
            assert working_hours_between(LATER, dates[name][1]) >= hours, (name, dates[name])
        assert dates["D"][0] >= max(dates["B"][1], dates["C"][1])  # dependencies still hold
        # The same dates as a plain tj3 given the .tjp the scheduler renders from the same snapshot.
        request = await snapshot(catalog, setup["studio"])
        assert {task.id: len(task.bookings) for task in request.tasks if task.bookings} == {
            ids[name]: len(entries) for name, entries in LOGS.items()
        }
        plain = await plain_tj3(request)
        assert {ids[name]: value for name, value in dates.items()} == {
            task_id: plain[task_id] for task_id in ids.values()
        }


async def test_the_snapshot_reads_every_log_in_one_query(catalog: Catalog) -> None:
    setup = await show(catalog)
    await log_work(catalog, setup, LOGS, STATUSES)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = catalog.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        request = await snapshot(catalog, setup["studio"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sum("time_log" in statement for statement in statements) == 1
    bookings = {task.id: task.bookings for task in request.tasks}
    c = bookings[setup["tasks"]["C"]]
    assert [(b.start, b.end) for b in c] == [(at(9, 9), at(9, 12.5)), (at(9, 12.5), at(9, 18))]
    assert {b.resource_id for b in c} == {setup["people"]["alice"]}
    assert bookings[setup["tasks"]["D"]] == ()


async def test_a_log_outside_the_studio_frame_fails_the_job_naming_the_task(
    catalog: Catalog, tmp_path: Path
) -> None:
    async with workers_for(catalog, tmp_path) as scheduling:
        setup = await show(scheduling)
        # The studio's frame was moved after the work was logged: tj3 refuses a booking outside it, as it
        # does for the reference; the job fails with a problem naming the task instead.
        early = [("alice", MONDAY - timedelta(days=3, hours=-9), MONDAY - timedelta(days=3, hours=-13))]
        await log_work(scheduling, setup, {"F": early}, {"F": ("WIP", None)})
        done = await schedule(scheduling, setup["studio"])
        assert done["status"] == "failed", done
        assert "project time frame" in done["message"]
        assert any(
            p["task_id"] == setup["tasks"]["F"] and p["task_name"] == "F" and "time frame" in p["message"]
            for p in done["problems"]
        ), done["problems"]
