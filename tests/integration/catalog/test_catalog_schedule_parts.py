"""A studio of projects with separate teams is scheduled in parts, one per team, over HTTP with the real
workers: the job counts its parts, applies each once, completes with every date equal to the whole
studio's tj3 run; an unchanged part is answered from the scheduler's cache; a failed part fails the job,
names the part and frees the studio."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from test_catalog_schedule_runs import API, ok, wait_for, workers_for

from stalker_catalog.db.models import ScheduleJobPart
from stalker_catalog.service.scheduling import apply_completed, apply_failed
from stalker_scheduler.service.compute import schedule
from stalker_shared.contracts import Envelope
from stalker_shared.contracts.scheduling import (
    ScheduleCompleted,
    ScheduleFailed,
    ScheduleRequested,
    TaskResult,
)

from support.catalog import Catalog

pytestmark = pytest.mark.tj3


async def user(client: httpx.AsyncClient, login: str) -> int:
    body = {"name": login, "login": login, "email": f"{login}@example.com", "password": "secret-pass"}
    return int((await ok(await client.post(f"{API}/users", json=body), 201))["id"])


async def two_teams(client: httpx.AsyncClient, days: int = 365) -> dict[str, Any]:
    """Projects A (artists a1, a2) and B (artist b1), four tasks each contending for their team."""
    studio = await ok(
        await client.post(
            f"{API}/studios",
            json={
                "name": "Two Teams",
                "now": "2025-01-06T09:00:00Z",
                "start": "2025-01-06T00:00:00Z",
                "duration": days,
            },
        ),
        201,
    )
    team = {"A": [await user(client, "a1"), await user(client, "a2")], "B": [await user(client, "b1")]}
    tasks: dict[str, list[int]] = {}
    projects: dict[str, int] = {}
    for code, artists in team.items():
        projects[code] = (
            await ok(await client.post(f"{API}/projects", json={"name": code, "code": code}), 201)
        )["id"]
        tasks[code] = []
        for n in range(4):
            body = {
                "name": f"{code}{n}",
                "project_id": projects[code],
                "schedule_timing": 2 + n,
                "schedule_unit": "d",
                "resource_ids": [artists[n % len(artists)]],
                "alternative_resource_ids": artists,
                "depends": tasks[code][-1:] if n == 3 else [],
            }
            tasks[code].append((await ok(await client.post(f"{API}/tasks", json=body), 201))["id"])
    return {"studio": studio["id"], "projects": projects, "tasks": tasks}


async def parts_of(catalog: Catalog, job_id: int) -> list[ScheduleJobPart]:
    async with catalog.runtime.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(ScheduleJobPart).where(ScheduleJobPart.job_id == job_id).order_by(ScheduleJobPart.part)
        )
        return list(rows)


async def computed(client: httpx.AsyncClient, task_ids: list[int]) -> dict[int, tuple[str, str]]:
    found = {}
    for task_id in task_ids:
        task = await ok(await client.get(f"{API}/tasks/{task_id}"))
        found[task_id] = (task["computed_start"], task["computed_end"])
    return found


async def test_a_studio_of_two_teams_is_scheduled_in_two_parts_with_the_whole_studios_dates(
    catalog: Catalog, tmp_path: Any
) -> None:
    async with workers_for(catalog, tmp_path) as scheduling:
        client = scheduling.client
        setup = await two_teams(client)
        job = await ok(await client.post(f"{API}/studios/{setup['studio']}/schedule", json={}), 202)
        assert (job["parts"], job["parts_done"]) == (2, 0)
        done = await wait_for(client, job["id"])
        assert done["status"] == "completed", done
        assert (done["parts"], done["parts_done"], done["tasks_scheduled"]) == (2, 2, 8)
        parts = await parts_of(catalog, job["id"])
        assert [(p.project_ids, p.status, p.tasks) for p in parts] == [
            ([setup["projects"]["A"]], "completed", 4),
            ([setup["projects"]["B"]], "completed", 4),
        ]
        # The whole studio (the TJP preview's snapshot, every user) through tj3 gives the same dates.
        snapshot = await ok(await client.get(f"{API}/studios/{setup['studio']}/snapshot"))
        whole = await schedule(ScheduleRequested.model_validate(snapshot), tj3_path="tj3", timeout=120)
        assert isinstance(whole, ScheduleCompleted), whole
        ids = setup["tasks"]["A"] + setup["tasks"]["B"]
        want = {
            t.id: (
                t.computed_start.isoformat().replace("+00:00", "Z"),
                t.computed_end.isoformat().replace("+00:00", "Z"),
            )
            for t in whole.tasks
            if t.id in ids
        }
        assert await computed(client, ids) == want

        # B changed, A did not: A's part is answered from the scheduler's cache.
        await ok(await client.patch(f"{API}/tasks/{setup['tasks']['B'][0]}", json={"schedule_timing": 9}))
        again = await ok(await client.post(f"{API}/studios/{setup['studio']}/schedule", json={}), 202)
        assert (await wait_for(client, again["id"]))["status"] == "completed"
        a, b = await parts_of(catalog, again["id"])
        assert "cached" in (a.timings or {}) and "tj3" not in (a.timings or {})
        assert "cached" not in (b.timings or {})

        # A part's result again, or any result for the finished job: nothing changes.
        before = await computed(client, ids)
        repeated = ScheduleCompleted(
            job_id=again["id"],
            part=0,
            parts=2,
            tasks=(
                TaskResult(
                    id=ids[0], computed_start="2020-01-01T00:00:00Z", computed_end="2020-01-02T00:00:00Z"
                ),
            ),
            projects=(),
        )
        async with catalog.runtime.unit_of_work() as uow:
            await apply_completed(
                uow, Envelope.wrap(repeated, correlation_id="c", causation_id=None), repeated
            )
            await uow.commit()
        assert await computed(client, ids) == before


async def test_a_part_result_is_applied_once_and_the_job_waits_for_every_part(catalog: Catalog) -> None:
    """No scheduler: the results are handed to the catalog by the test, the first part twice."""
    client = catalog.client
    setup = await two_teams(client)
    job = await ok(await client.post(f"{API}/studios/{setup['studio']}/schedule", json={}), 202)

    async def answer(part: int, task_id: int, day: int) -> dict[str, Any]:
        result = ScheduleCompleted(
            job_id=job["id"],
            part=part,
            parts=2,
            tasks=(
                TaskResult(
                    id=task_id,
                    computed_start=f"2025-02-{day:02d}T09:00:00Z",
                    computed_end=f"2025-02-{day:02d}T18:00:00Z",
                ),
            ),
            projects=(),
            timings={"tj3": 1.5},
        )
        async with catalog.runtime.unit_of_work() as uow:
            await apply_completed(uow, Envelope.wrap(result, correlation_id="c", causation_id=None), result)
            await uow.commit()
        return dict(await ok(await client.get(f"{API}/schedule-jobs/{job['id']}")))

    a0, b0 = setup["tasks"]["A"][0], setup["tasks"]["B"][0]
    first = await answer(0, a0, 3)
    assert (first["status"], first["parts_done"]) == ("running", 1)
    repeated = await answer(0, a0, 4)  # the same part again: ignored
    assert (repeated["status"], repeated["parts_done"]) == ("running", 1)
    assert (await computed(client, [a0]))[a0][0] == "2025-02-03T09:00:00Z"
    last = await answer(1, b0, 5)
    assert (last["status"], last["parts_done"], last["tasks_scheduled"]) == ("completed", 2, 2)
    assert last["timings"] == {"tj3": 3.0}  # summed over the parts
    studio = await ok(await client.get(f"{API}/studios/{setup['studio']}"))
    assert studio["is_scheduling"] is False


async def test_a_failed_part_fails_the_job_names_it_and_frees_the_studio(
    catalog: Catalog, tmp_path: Any
) -> None:
    async with workers_for(catalog, tmp_path) as scheduling:
        client = scheduling.client
        setup = await two_teams(client, days=60)
        # B's first task cannot fit in the studio's 60 days; A's work does.
        await ok(await client.patch(f"{API}/tasks/{setup['tasks']['B'][0]}", json={"schedule_timing": 100}))
        job = await ok(await client.post(f"{API}/studios/{setup['studio']}/schedule", json={}), 202)
        done = await wait_for(client, job["id"])
        assert done["status"] == "failed", done
        assert done["message"].startswith("part 2 of 2 (projects B) failed: "), done["message"]
        assert any(p["task_id"] == setup["tasks"]["B"][0] for p in done["problems"])
        studio = await ok(await client.get(f"{API}/studios/{setup['studio']}"))
        assert studio["is_scheduling"] is False
        parts = await parts_of(catalog, job["id"])
        assert [p.status for p in parts] in (["completed", "failed"], ["dropped", "failed"])
        if parts[0].status == "completed":  # A's dates, applied before B failed, stay
            assert all(v[0] for v in (await computed(client, setup["tasks"]["A"])).values())


async def _hand_over(catalog: Catalog, result: ScheduleCompleted | ScheduleFailed) -> None:
    async with catalog.runtime.unit_of_work() as uow:
        apply = apply_completed if isinstance(result, ScheduleCompleted) else apply_failed
        await apply(uow, Envelope.wrap(result, correlation_id="c", causation_id=None), result)
        await uow.commit()


def _dates(job_id: int, part: int, task_id: int) -> ScheduleCompleted:
    return ScheduleCompleted(
        job_id=job_id,
        part=part,
        parts=2,
        tasks=(
            TaskResult(
                id=task_id, computed_start="2025-02-03T09:00:00Z", computed_end="2025-02-03T18:00:00Z"
            ),
        ),
        projects=(),
    )


async def test_a_failure_after_a_part_was_applied_says_so_and_later_results_change_nothing(
    catalog: Catalog,
) -> None:
    """No scheduler: part 1 (A) is applied, part 2 (B) fails, then part 1 comes again."""
    client = catalog.client
    setup = await two_teams(client)
    job = await ok(await client.post(f"{API}/studios/{setup['studio']}/schedule", json={}), 202)
    a0 = setup["tasks"]["A"][0]
    await _hand_over(catalog, _dates(job["id"], 0, a0))
    await _hand_over(
        catalog, ScheduleFailed(job_id=job["id"], part=1, parts=2, reason="tj3_error", message="boom")
    )
    done = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}"))
    assert done["status"] == "failed"
    assert (
        done["message"]
        == "part 2 of 2 (projects B) failed: boom (the dates of part 1, already applied, stay)"
    )
    late = _dates(job["id"], 0, a0).model_copy(
        update={
            "tasks": (
                TaskResult(id=a0, computed_start="2020-01-01T00:00:00Z", computed_end="2020-01-02T00:00:00Z"),
            )
        }
    )
    await _hand_over(catalog, late)
    assert (await computed(client, [a0]))[a0] == ("2025-02-03T09:00:00Z", "2025-02-03T18:00:00Z")


async def test_the_result_of_a_part_dropped_by_a_failure_is_not_applied(catalog: Catalog) -> None:
    client = catalog.client
    setup = await two_teams(client)
    job = await ok(await client.post(f"{API}/studios/{setup['studio']}/schedule", json={}), 202)
    a0 = setup["tasks"]["A"][0]
    await _hand_over(
        catalog, ScheduleFailed(job_id=job["id"], part=1, parts=2, reason="timeout", message="slow")
    )
    failed = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}"))
    assert failed["message"] == "part 2 of 2 (projects B) failed: slow"
    assert [p.status for p in await parts_of(catalog, job["id"])] == ["dropped", "failed"]
    await _hand_over(catalog, _dates(job["id"], 0, a0))
    assert (await computed(client, [a0]))[a0] == (None, None)
    assert (await ok(await client.get(f"{API}/schedule-jobs/{job['id']}")))["parts_done"] == 0
