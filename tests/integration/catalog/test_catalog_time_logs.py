"""Time logs under concurrency and at the database, in both modes: a person's logs never overlap even when
two writers race past the handler's check (the constraint decides), and the logged total on the task
(kept by every write, never summed on read) matches the logs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from stalker_catalog.db.models import Project, Task, TimeLog

from support.catalog import API, Catalog, ok, project, task


async def _two_projects_one_artist(service: Catalog) -> tuple[int, list[int]]:
    client = service.client
    body = {"name": "Ann", "login": "ann", "email": "ann@x.com", "password": "Tr0ub4dor&3"}
    ann = int((await ok(await client.post(f"{API}/users", json=body), 201))["id"])
    tasks = []
    for code in ("PA", "PB"):
        project_id = await project(client, code)
        await ok(await client.post(f"{API}/projects/{project_id}/users", json={"user_id": ann}), 201)
        tasks.append((await task(client, name="Work", project_id=project_id, resource_ids=[ann]))["id"])
    return ann, tasks


async def test_racing_overlapping_logs_in_two_projects_keep_one(service: Catalog) -> None:
    """The projects' locks do not serialize these two: only the no-overlap constraint can."""
    ann, (first, second) = await _two_projects_one_artist(service)
    headers = await service.token_for("ann")
    bodies = [
        {"task_id": first, "start": "2025-01-06T09:00:00Z", "end": "2025-01-06T12:00:00Z"},
        {"task_id": second, "start": "2025-01-06T10:00:00Z", "end": "2025-01-06T11:00:00Z"},
    ]
    for _ in range(3):
        responses = await asyncio.gather(
            *(service.client.post(f"{API}/time-logs", json=b, headers=headers) for b in bodies)
        )
        codes = sorted(r.status_code for r in responses)
        assert codes in ([201, 409], [409, 409]), [r.text for r in responses]
        for response in responses:
            assert response.status_code != 500, response.text
    listed = await ok(await service.client.get(f"{API}/time-logs", params={"resource_id": ann}))
    assert listed["total"] == 1
    kept = listed["items"][0]
    logged = {
        t: (await ok(await service.client.get(f"{API}/tasks/{t}")))["total_logged_seconds"]
        for t in (first, second)
    }
    assert logged[kept["task_id"]] == kept["seconds"] and sum(logged.values()) == kept["seconds"]


async def test_a_log_the_deadlock_detector_ends_is_a_conflict(catalog: Catalog) -> None:
    """PostgreSQL checks the no-overlap constraint after the row is in, so two racing inserts can each wait
    for the other; the deadlock detector then ends one. Made certain here: another writer holds an
    overlapping log and then waits for the request's project, so the request, waiting longer, is ended."""
    ann, (first, second) = await _two_projects_one_artist(catalog)
    headers = await catalog.token_for("ann")
    async with catalog.runtime.sessionmaker() as other:
        project_of = {row.id: row.project_id for row in await other.execute(select(Task.id, Task.project_id))}
        at = lambda hour: datetime(2025, 1, 6, hour, tzinfo=UTC)  # noqa: E731
        other.add(
            TimeLog(task_id=first, project_id=project_of[first], resource_id=ann, start=at(9), end=at(12))
        )
        await other.flush()
        body = {"task_id": second, "start": "2025-01-06T10:00:00Z", "end": "2025-01-06T11:00:00Z"}
        request = asyncio.ensure_future(catalog.client.post(f"{API}/time-logs", json=body, headers=headers))
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        async with catalog.runtime.sessionmaker() as watcher:
            for _ in range(200):
                if await watcher.scalar(waiting):
                    break
                await asyncio.sleep(0.02)
            else:
                pytest.fail("the request never waited for the other writer's log")
        await asyncio.sleep(0.2)
        locking = select(Project.id).where(Project.id == project_of[second]).with_for_update()
        waited = asyncio.ensure_future(other.execute(locking))
        response = await request
        await waited  # the request's transaction ended, so its project's lock is free
        await other.commit()
    assert response.status_code == 409, response.text
    assert response.json()["field"] == "start"
    listed = await ok(await catalog.client.get(f"{API}/time-logs", params={"resource_id": ann}))
    assert [log["task_id"] for log in listed["items"]] == [first]


async def test_the_database_refuses_an_overlap_the_handler_did_not_see(service: Catalog) -> None:
    ann, (first, second) = await _two_projects_one_artist(service)

    def log(task_id: int, start: int, end: int) -> TimeLog:
        at = lambda hour: datetime(2025, 1, 6, hour, tzinfo=UTC)  # noqa: E731
        return TimeLog(task_id=task_id, project_id=0, resource_id=ann, start=at(start), end=at(end))

    async with service.runtime.sessionmaker() as session:
        projects = {row.id: row.project_id for row in await session.execute(select(Task.id, Task.project_id))}
        made = log(first, 9, 17)
        made.project_id = projects[first]
        session.add(made)
        await session.commit()
    for start, end in ((10, 11), (8, 10), (16, 18), (8, 18)):  # inside, across either end, enclosing
        async with service.runtime.sessionmaker() as session:
            other = log(second, start, end)
            other.project_id = projects[second]
            session.add(other)
            with pytest.raises(IntegrityError, match="time_log_no_overlap"):
                await session.commit()
    async with service.runtime.sessionmaker() as session:
        touching = log(second, 17, 18)
        touching.project_id = projects[second]
        session.add(touching)
        await session.commit()  # a log that starts when the other ends does not overlap it


async def test_a_user_with_time_logs_cannot_be_deleted(service: Catalog) -> None:
    ann, (first, _) = await _two_projects_one_artist(service)
    body = {
        "task_id": first,
        "resource_id": ann,
        "start": "2025-01-06T09:00:00Z",
        "end": "2025-01-06T10:00:00Z",
    }
    await ok(await service.client.post(f"{API}/time-logs", json=body), 201)
    refused = await service.client.delete(f"{API}/users/{ann}")
    assert refused.status_code == 409, refused.text
    assert "time_logs" in refused.json()["referenced_by"]


async def test_time_filters_take_ranges_and_refuse_what_is_not_a_time(service: Catalog) -> None:
    ann, (first, _) = await _two_projects_one_artist(service)
    for day in (6, 7, 8):
        body = {
            "task_id": first,
            "resource_id": ann,
            "start": f"2025-01-0{day}T09:00:00Z",
            "end": f"2025-01-0{day}T10:00:00Z",
        }
        await ok(await service.client.post(f"{API}/time-logs", json=body), 201)
    window = {"start__gte": "2025-01-07T00:00:00Z", "start__lt": "2025-01-08T09:00:00+00:00"}
    listed = await ok(await service.client.get(f"{API}/time-logs", params=window))
    assert [log["start"][:10] for log in listed["items"]] == ["2025-01-07"]
    for bad in ("tomorrow", "2025-01-07T00:00:00", "1800-01-01T00:00:00Z", "null"):
        refused = await service.client.get(f"{API}/time-logs", params={"start__gte": bad})
        assert refused.status_code == 422 and refused.json()["field"] == "start", (bad, refused.text)
    refused = await service.client.get(f"{API}/time-logs", params={"description__gt": "a"})
    assert refused.status_code == 422


async def test_a_time_log_records_work_done_not_work_to_come(service: Catalog) -> None:
    ann, (first, _) = await _two_projects_one_artist(service)
    soon = datetime.now(UTC) + timedelta(hours=2)
    body = {
        "task_id": first,
        "resource_id": ann,
        "start": soon.isoformat(),
        "end": (soon + timedelta(hours=1)).isoformat(),
    }
    refused = await service.client.post(f"{API}/time-logs", json=body)
    assert refused.status_code == 422 and refused.json()["field"] == "end", refused.text
    just_now = datetime.now(UTC).replace(microsecond=0)
    body.update(start=(just_now - timedelta(hours=1)).isoformat(), end=just_now.isoformat())
    await ok(await service.client.post(f"{API}/time-logs", json=body), 201)
