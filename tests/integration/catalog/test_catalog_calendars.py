"""Calendars (issue 15, item 1), both modes: vacations of a user or of the whole studio, public holidays and
a person's own working hours; who may write each; bad input as problems naming the field; the events; and
what tj3 makes of them: the reference's vacation cases (§6.8) give its dates, a holiday is everybody's day
off, and a part-time artist's effort spreads over their own hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_catalog_schedule_bookings import computed, iso, schedule, snapshot
from test_catalog_schedule_runs import workers_for

from stalker_catalog.db.models import ScheduleJob, Studio

from support.catalog import API, Catalog, ok, problem, project

VACATIONS, HOLIDAYS = f"{API}/vacations", f"{API}/holidays"
MONDAY = datetime(2025, 1, 6, tzinfo=UTC)
PASSWORD = "Tr0ub4dor&3"


async def no_content(response: httpx.Response) -> None:
    assert response.status_code == 204, response.text


def at(day: int, hour: float = 0) -> datetime:
    return datetime(2025, 1, day, tzinfo=UTC) + timedelta(hours=hour)


async def people(catalog: Catalog) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    """alice and bob (artists), pam (a producer), all members of one project; the admin's headers as {}."""
    client = catalog.client
    roles = {r["access"]: r["id"] for r in (await ok(await client.get(f"{API}/roles")))["items"]}
    project_id = await project(client, "CAL")
    ids, headers = {}, {"admin": {}}
    for login, role in (("alice", "artist"), ("bob", "artist"), ("pam", "producer")):
        body = {"name": login.title(), "login": login, "email": f"{login}@x.com", "password": PASSWORD}
        ids[login] = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
        member = {"user_id": ids[login], "role_id": roles[role]}
        await ok(await client.post(f"{API}/projects/{project_id}/users", json=member), 201)
        headers[login] = await catalog.token_for(login)
    return ids, headers


async def test_a_user_enters_their_own_leave_and_producers_anyones(service: Catalog) -> None:
    client = service.client
    ids, headers = await people(service)
    own = {"user_id": ids["alice"], "start": iso(at(7)), "end": iso(at(9)), "description": "dentist"}
    mine = await ok(await client.post(VACATIONS, json=own, headers=headers["alice"]), 201)
    assert (mine["user_id"], mine["start"], mine["end"], mine["revision"]) == (
        ids["alice"],
        "2025-01-07T00:00:00Z",
        "2025-01-09T00:00:00Z",
        1,
    )
    # Someone else's leave, or the whole studio's, is for producers and admins.
    for body in ({**own, "user_id": ids["bob"]}, {"start": iso(at(20)), "end": iso(at(21))}):
        refused = await problem(await client.post(VACATIONS, json=body, headers=headers["alice"]), 403)
        assert "admins and producers" in refused["detail"]
    bobs = await ok(
        await client.post(VACATIONS, json={**own, "user_id": ids["bob"]}, headers=headers["pam"]), 201
    )
    studio = await ok(await client.post(VACATIONS, json={"start": iso(at(20)), "end": iso(at(21))}), 201)
    assert studio["user_id"] is None
    refused = await problem(await client.delete(f"{VACATIONS}/{bobs['id']}", headers=headers["alice"]), 403)
    assert refused["operation"] == "studio.reference.edit"
    moved = await client.patch(
        f"{VACATIONS}/{mine['id']}", json={"end": iso(at(10))}, headers=headers["alice"]
    )
    assert (await ok(moved))["end"] == "2025-01-10T00:00:00Z"
    # Giving one's own leave to someone else is writing theirs.
    given = await client.patch(
        f"{VACATIONS}/{mine['id']}", json={"user_id": ids["bob"]}, headers=headers["alice"]
    )
    await problem(given, 403)

    # Everyone reads the calendar; lists filter by user (null: the studio's) and by period.
    listed = await ok(await client.get(VACATIONS, headers=headers["bob"]))
    assert [v["id"] for v in listed["items"]] == [mine["id"], bobs["id"], studio["id"]]
    of_alice = await ok(await client.get(VACATIONS, params={"user_id": ids["alice"]}))
    assert [v["id"] for v in of_alice["items"]] == [mine["id"]]
    studio_wide = await ok(await client.get(f"{VACATIONS}?user_id=null"))
    assert [v["id"] for v in studio_wide["items"]] == [studio["id"]]
    in_week_three = await ok(await client.get(f"{VACATIONS}?start__lt={iso(at(25))}&end__gt={iso(at(13))}"))
    assert [v["id"] for v in in_week_three["items"]] == [studio["id"]]

    await no_content(await client.delete(f"{VACATIONS}/{mine['id']}", headers=headers["alice"]))
    await problem(await client.get(f"{VACATIONS}/{mine['id']}"), 404)
    kinds = [(e["type"], e["payload"]["id"]) for e in await service.events() if ".vacation." in e["type"]]
    assert kinds == [
        ("catalog.vacation.created", mine["id"]),
        ("catalog.vacation.created", bobs["id"]),
        ("catalog.vacation.created", studio["id"]),
        ("catalog.vacation.updated", mine["id"]),
        ("catalog.vacation.deleted", mine["id"]),
    ]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"start": "2025-01-09T00:00:00Z", "end": "2025-01-07T00:00:00Z"}, "end", "after start"),
        ({"start": "2025-01-07T00:00:00Z", "end": "2025-01-07T00:00:00Z"}, "end", "after start"),
        ({"start": "2025-01-01T00:00:00Z", "end": "2026-01-03T00:00:00Z"}, "end", "at most 366 days"),
        ({"start": "2025-01-07T00:00:00", "end": "2025-01-08T00:00:00Z"}, "start", "timezone"),
        ({"start": "2025-01-07T00:00:00Z"}, "end", "required"),
        (
            {"user_id": 999999, "start": "2025-01-07T00:00:00Z", "end": "2025-01-08T00:00:00Z"},
            "user_id",
            "no user",
        ),
        (
            {"start": "2025-01-07T00:00:00Z", "end": "2025-01-08T00:00:00Z", "revision": 3},
            "revision",
            "extra",
        ),
    ],
)
async def test_bad_vacations_are_problems_naming_the_field(
    service: Catalog, body: dict[str, Any], field: str, words: str
) -> None:
    response = await service.client.post(VACATIONS, json=body)
    found = await problem(response, 404 if field == "user_id" else 422)
    text = str(found).lower()
    assert field in text and words in text, found
    assert (await ok(await service.client.get(VACATIONS)))["total"] == 0


async def test_holidays_are_for_admins_and_producers_one_per_day(service: Catalog) -> None:
    client = service.client
    _, headers = await people(service)
    new_year = await ok(await client.post(HOLIDAYS, json={"date": "2025-01-01", "name": "New Year"}), 201)
    await ok(
        await client.post(HOLIDAYS, json={"date": "2025-12-25", "name": "Christmas"}, headers=headers["pam"]),
        201,
    )
    refused = await client.post(
        HOLIDAYS, json={"date": "2025-05-01", "name": "May Day"}, headers=headers["bob"]
    )
    await problem(refused, 403)
    twice = await problem(await client.post(HOLIDAYS, json={"date": "2025-01-01", "name": "Again"}), 409)
    assert twice["field"] == "date" and twice["holiday_id"] == new_year["id"]
    bad = await problem(await client.post(HOLIDAYS, json={"date": "2025-02-30", "name": "No"}), 422)
    assert "date" in str(bad)
    listed = await ok(await client.get(HOLIDAYS, headers=headers["bob"]))
    assert [(h["date"], h["name"]) for h in listed["items"]] == [
        ("2025-01-01", "New Year"),
        ("2025-12-25", "Christmas"),
    ]
    await problem(await client.delete(f"{HOLIDAYS}/{new_year['id']}", headers=headers["alice"]), 403)
    await no_content(await client.delete(f"{HOLIDAYS}/{new_year['id']}"))


async def test_a_person_gets_a_week_of_their_own_and_back_the_studios(service: Catalog) -> None:
    client = service.client
    ids, headers = await people(service)
    url = f"{API}/users/{ids['alice']}/working-hours"
    studio_week = await ok(await client.get(url, headers=headers["alice"]))
    assert studio_week["own"] is False and studio_week["working_hours"]["mon"] == [[540, 1080]]
    assert studio_week["working_hours"]["sat"] == []
    part_time = {"mon": [[540, 780]], "Tue": [[540, 780]], "wed": [[840, 1080], [540, 780]]}
    await problem(await client.put(url, json={"working_hours": part_time}, headers=headers["alice"]), 403)
    week = await ok(await client.put(url, json={"working_hours": part_time}, headers=headers["pam"]))
    assert week["own"] is True
    assert week["working_hours"] == {
        "mon": [[540, 780]],
        "tue": [[540, 780]],
        "wed": [[540, 780], [840, 1080]],
        "thu": [],
        "fri": [],
        "sat": [],
        "sun": [],
    }
    for bad, words in (
        ({"moon": [[540, 600]]}, "unknown day"),
        ({"mon": [[540, 780], [600, 900]]}, "overlap"),
        ({"mon": [[780, 540]]}, "start < end"),
        ({"mon": []}, "at least one working day"),
        ({"mon": [[540, 1500]]}, "less than or equal to 1440"),
    ):
        found = await problem(await client.put(url, json={"working_hours": bad}), 422)
        assert "working_hours" in str(found) and words in str(found), found
    assert (await ok(await client.get(url)))["working_hours"]["tue"] == [[540, 780]]  # unchanged
    await no_content(await client.delete(url))
    assert (await ok(await client.get(url)))["own"] is False
    await problem(await client.get(f"{API}/users/999999/working-hours"), 404)
    changes = [
        e["payload"] for e in await service.events() if e["type"] == "catalog.user.working_hours_changed"
    ]
    assert [(c["user_id"], c["working_hours"] is None) for c in changes] == [
        (ids["alice"], False),
        (ids["alice"], True),
    ]


async def one_task_show(catalog: Catalog, timing: float = 3, unit: str = "d") -> dict[str, Any]:
    """The reference's §6.8 case: now Monday 2025-01-06 09:00 UTC, one effort task for alice."""
    client = catalog.client
    studio = await ok(
        await client.post(
            f"{API}/studios",
            json={"name": "Leave", "now": iso(at(6, 9)), "start": iso(MONDAY), "duration": 90},
        ),
        201,
    )
    body = {"name": "Alice", "login": "alice", "email": "alice@x.com", "password": PASSWORD}
    alice = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
    project_id = await project(client, "LEAVE")
    task = {"name": "Model", "project_id": project_id, "schedule_timing": timing, "schedule_unit": unit}
    made = await ok(await client.post(f"{API}/tasks", json={**task, "resource_ids": [alice]}), 201)
    return {"studio": studio["id"], "alice": alice, "task": made["id"]}


async def end_of(catalog: Catalog, show: dict[str, Any]) -> datetime:
    job = await schedule(catalog, show["studio"])
    assert job["status"] == "completed", job
    return (await computed(catalog, {"task": show["task"]}))["task"][1]


async def test_leave_holidays_and_own_hours_move_the_schedule_as_tj3_says(
    service: Catalog, tmp_path: Path
) -> None:
    async with workers_for(service, tmp_path) as catalog:
        client = catalog.client
        show = await one_task_show(catalog)
        assert await end_of(catalog, show) == at(8, 18)  # reference: no vacation -> 01-08 18:00

        leave = {"user_id": show["alice"], "start": iso(at(7)), "end": iso(at(9))}
        own = await ok(await client.post(VACATIONS, json=leave), 201)
        assert await end_of(catalog, show) == at(10, 18)  # reference: alice's vacation -> 01-10 18:00
        await no_content(await client.delete(f"{VACATIONS}/{own['id']}"))
        studio_wide = await ok(await client.post(VACATIONS, json={**leave, "user_id": None}), 201)
        assert await end_of(catalog, show) == at(10, 18)  # reference: the studio's -> 01-10 18:00
        await no_content(await client.delete(f"{VACATIONS}/{studio_wide['id']}"))

        await ok(await client.post(HOLIDAYS, json={"date": "2025-01-07", "name": "Founders' Day"}), 201)
        assert await end_of(catalog, show) == at(9, 18)  # one day off for everybody

        # Part time, 09:00-13:00 on weekdays: 27 h of effort from Monday 09:00, Tuesday 7th off.
        part_time = {day: [[540, 780]] for day in ("mon", "tue", "wed", "thu", "fri")}
        url = f"{API}/users/{show['alice']}/working-hours"
        await ok(await client.put(url, json={"working_hours": part_time}))
        request = await snapshot(catalog, show["studio"])
        (alice,) = [r for r in request.resources if r.id == show["alice"]]
        assert alice.working_hours is not None and alice.working_hours["mon"] == ((540, 780),)
        assert [(v.start, v.end) for v in request.vacations] == [(at(7), at(8))]
        # Mon 6 (4 h), Wed 8 to Fri 10 (12 h), Mon 13 and Tue 14 (8 h), Wed 15 09:00-12:00 (3 h).
        assert await end_of(catalog, show) == at(15, 12)


async def test_schedule_job_ids_are_never_reused(service: Catalog) -> None:
    """A late result of a deleted studio's job must not land on a new job: SQLite reuses the ids of the
    highest deleted rows unless the table is AUTOINCREMENT (issue 15, item 6)."""
    async with service.runtime.unit_of_work() as uow:
        studio = Studio(name="Ids", working_hours={}, start=MONDAY, end=MONDAY + timedelta(days=30))
        uow.session.add(studio)
        await uow.session.flush()
        first = ScheduleJob(studio_id=studio.id)
        uow.session.add(first)
        await uow.session.flush()
        first_id = first.id
        await uow.session.delete(studio)  # its jobs go with it
        await uow.commit()
    async with service.runtime.unit_of_work() as uow:
        assert await uow.session.get(ScheduleJob, first_id) is None
        studio = Studio(name="Ids again", working_hours={}, start=MONDAY, end=MONDAY + timedelta(days=30))
        uow.session.add(studio)
        await uow.session.flush()
        second = ScheduleJob(studio_id=studio.id)
        uow.session.add(second)
        await uow.session.flush()
        assert second.id > first_id
        await uow.commit()
