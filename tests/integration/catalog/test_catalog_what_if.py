"""What-if runs (issue 15, item 4), both modes, with the real scheduler and tj3: a run with imagined changes
computes a scenario and applies nothing; its diff names the tasks that move, by how much, and the ones that
now miss their project's end; applying it makes the changes and its dates the plan at once, and gives the
dates a normal run with those changes gives; anything changed since it was computed makes applying it a
409 naming what changed; a dropped scenario cannot be applied; bad changes are problems naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from test_catalog_schedule_bookings import computed, iso, schedule
from test_catalog_schedule_runs import wait_for, workers_for

from stalker_catalog.db.models import ScheduleJobPart

from support.catalog import API, Catalog, ok, problem

pytestmark = pytest.mark.tj3
PASSWORD = "Tr0ub4dor&3"


def at(day: int, hour: float = 0) -> datetime:
    return datetime(2025, 1, day, tzinfo=UTC) + timedelta(hours=hour)


async def show(catalog: Catalog) -> dict[str, Any]:
    """Now Monday 2025-01-06 09:00 UTC; alice does A (3 d) then B (2 d), bob does C (2 d); the project
    ends on Monday 13th."""
    client = catalog.client
    studio = await ok(
        await client.post(
            f"{API}/studios",
            json={"name": "What If", "now": iso(at(6, 9)), "start": iso(at(6)), "duration": 90},
        ),
        201,
    )
    people = {}
    for login in ("alice", "bob"):
        body = {"name": login, "login": login, "email": f"{login}@x.com", "password": PASSWORD}
        people[login] = (await ok(await client.post(f"{API}/users", json=body), 201))["id"]
    project = await ok(
        await client.post(f"{API}/projects", json={"name": "If", "code": "IF", "end": iso(at(13))}), 201
    )
    ids: dict[str, int] = {}
    for name, days, who, depends in (("A", 3, "alice", []), ("B", 2, "alice", ["A"]), ("C", 2, "bob", [])):
        body = {
            "name": name,
            "project_id": project["id"],
            "schedule_timing": days,
            "schedule_unit": "d",
            "resource_ids": [people[who]],
            "depends": [ids[d] for d in depends],
        }
        ids[name] = (await ok(await client.post(f"{API}/tasks", json=body), 201))["id"]
    return {"studio": studio["id"], "people": people, "project": project["id"], "tasks": ids}


async def what_if(
    catalog: Catalog, setup: dict[str, Any], changes: dict[str, Any], **body: Any
) -> dict[str, Any]:
    url = f"{API}/studios/{setup['studio']}/schedule"
    job = await ok(await catalog.client.post(url, json={"what_if": changes, **body}), 202)
    assert job["scenario_status"] == "pending", job
    done = await wait_for(catalog.client, job["id"])
    assert done["status"] == "completed" and done["scenario_status"] == "ready", done
    return dict(done)


async def test_a_vacation_imagined_moves_tasks_and_applied_gives_a_normal_runs_dates(
    service: Catalog, tmp_path: Path
) -> None:
    async with workers_for(service, tmp_path) as catalog:
        client = catalog.client
        setup = await show(catalog)
        tasks = setup["tasks"]
        assert (await schedule(catalog, setup["studio"]))["status"] == "completed"
        plan = await computed(catalog, tasks)
        assert plan == {
            "A": (at(6, 9), at(8, 18)),
            "B": (at(9, 9), at(10, 18)),
            "C": (at(6, 9), at(7, 18)),
        }

        leave = {"user_id": setup["people"]["alice"], "start": iso(at(7)), "end": iso(at(9))}
        job = await what_if(catalog, setup, {"vacations_added": [leave]})
        scenario = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}/scenario"))
        moves = {m["name"]: m for m in scenario["moves"]}
        assert set(moves) == {"A", "B"} and scenario["tasks_moved"] == 2  # bob's C stays
        assert (moves["A"]["start"], moves["A"]["end"]) == ("2025-01-06T09:00:00Z", "2025-01-10T18:00:00Z")
        assert (moves["A"]["start_shift_hours"], moves["A"]["end_shift_hours"]) == (0, 48)
        assert (moves["B"]["end"], moves["B"]["end_shift_hours"]) == ("2025-01-14T18:00:00Z", 96)
        assert moves["B"]["misses_project_end"] and not moves["A"]["misses_project_end"]
        assert scenario["tasks_missing_project_end"] == [tasks["B"]]
        (outcome,) = scenario["projects"]
        assert outcome["misses_deadline"] and outcome["end"] == "2025-01-14T18:00:00Z"
        # Nothing was applied: the plan and the calendar are as they were.
        assert await computed(catalog, tasks) == plan
        assert (await ok(await client.get(f"{API}/vacations")))["total"] == 0

        applied = await ok(await client.post(f"{API}/schedule-jobs/{job['id']}/apply"))
        assert applied["scenario_status"] == "applied"
        (vacation,) = (await ok(await client.get(f"{API}/vacations")))["items"]
        assert (vacation["user_id"], vacation["start"], vacation["end"]) == (
            setup["people"]["alice"],
            "2025-01-07T00:00:00Z",
            "2025-01-09T00:00:00Z",
        )
        scenario_dates = await computed(catalog, tasks)
        assert scenario_dates["A"] == (at(6, 9), at(10, 18)) and scenario_dates["B"][1] == at(14, 18)
        # A normal run with the vacation entered gives the same dates.
        assert (await schedule(catalog, setup["studio"]))["status"] == "completed"
        assert await computed(catalog, tasks) == scenario_dates
        twice = await problem(await client.post(f"{API}/schedule-jobs/{job['id']}/apply"), 409)
        assert twice["scenario_status"] == "applied"


async def test_a_scenario_is_refused_once_its_inputs_changed_and_can_be_dropped(
    service: Catalog, tmp_path: Path
) -> None:
    async with workers_for(service, tmp_path) as catalog:
        client = catalog.client
        setup = await show(catalog)
        tasks, people = setup["tasks"], setup["people"]
        assert (await schedule(catalog, setup["studio"]))["status"] == "completed"
        plan = await computed(catalog, tasks)

        changes = {
            "resources_added": [{"task_id": tasks["B"], "user_id": people["bob"]}],
            "timings": [{"task_id": tasks["C"], "schedule_timing": 1}],
            "priorities": [{"task_id": tasks["A"], "priority": 0}],
            "project_ends": [{"project_id": setup["project"], "end": iso(at(31))}],
        }
        job = await what_if(catalog, setup, changes)
        scenario = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}/scenario"))
        moves = {m["name"]: m for m in scenario["moves"]}
        assert moves["B"]["resources_before"] == [people["alice"]]
        assert moves["B"]["resources_after"] == sorted([people["alice"], people["bob"]])
        assert moves["C"]["end"] == "2025-01-06T18:00:00Z"  # one day instead of two
        assert scenario["tasks_missing_project_end"] == []  # the project's end imagined later

        # Someone changes A meanwhile: the scenario no longer stands.
        await ok(await client.patch(f"{API}/tasks/{tasks['A']}", json={"schedule_timing": 4}))
        refused = await problem(await client.post(f"{API}/schedule-jobs/{job['id']}/apply"), 409)
        assert refused["changed"] == {"tasks": [tasks["A"]]}
        assert await computed(catalog, tasks) == plan  # nothing applied
        b = await ok(await client.get(f"{API}/tasks/{tasks['B']}"))
        assert b["resource_ids"] == [people["alice"]]

        dropped = await ok(await client.post(f"{API}/schedule-jobs/{job['id']}/drop"))
        assert dropped["scenario_status"] == "dropped"
        gone = await ok(await client.get(f"{API}/schedule-jobs/{job['id']}/scenario"))
        assert (gone["status"], gone["moves"]) == ("dropped", [])
        await problem(await client.post(f"{API}/schedule-jobs/{job['id']}/apply"), 409)

        # A normal job has no scenario.
        normal = await schedule(catalog, setup["studio"])
        await problem(await client.get(f"{API}/schedule-jobs/{normal['id']}/scenario"), 404)


async def test_bad_changes_are_problems_naming_the_field(service: Catalog) -> None:
    client = service.client
    setup = await show(service)
    url = f"{API}/studios/{setup['studio']}/schedule"
    task_id = setup["tasks"]["A"]
    for changes, status, field in (
        ({"timings": [{"task_id": 999999, "schedule_timing": 1}]}, 404, "what_if.timings[0].task_id"),
        (
            {"vacations_added": [{"start": iso(at(9)), "end": iso(at(7))}]},
            422,
            "what_if.vacations_added[0].end",
        ),
        ({"vacations_cancelled": [999999]}, 404, "what_if.vacations_cancelled[0]"),
        (
            {"resources_added": [{"task_id": task_id, "user_id": 999999}]},
            404,
            "what_if.resources_added[0].user_id",
        ),
        ({"priorities": [{"task_id": task_id, "priority": 1001}]}, 422, "priority"),
        (
            {"timings": [{"task_id": task_id, "schedule_timing": 1, "schedule_unit": "s"}]},
            422,
            "schedule_unit",
        ),
        ({"colour": "blue"}, 422, "colour"),
    ):
        found = await problem(await client.post(url, json={"what_if": changes}), status)
        assert field in str(found), (changes, found)
    jobs = await ok(await client.get(f"{API}/schedule-jobs"))
    assert jobs["total"] == 0  # nothing queued


async def second_project(catalog: Catalog, setup: dict[str, Any]) -> dict[str, int]:
    """Project SEC with one task for bob, and vic, a viewer of the first project only; pam, its producer."""
    client = catalog.client
    roles = {r["access"]: r["id"] for r in (await ok(await client.get(f"{API}/roles")))["items"]}
    second = await ok(await client.post(f"{API}/projects", json={"name": "Second", "code": "SEC"}), 201)
    body = {"name": "D", "project_id": second["id"], "schedule_timing": 1, "schedule_unit": "d"}
    task_d = await ok(
        await client.post(f"{API}/tasks", json={**body, "resource_ids": [setup["people"]["bob"]]}), 201
    )
    ids = {"project": second["id"], "task": task_d["id"]}
    for login, role in (("vic", "viewer"), ("pam", "producer")):
        user = {"name": login, "login": login, "email": f"{login}@x.com", "password": PASSWORD}
        ids[login] = (await ok(await client.post(f"{API}/users", json=user), 201))["id"]
        member = {"user_id": ids[login], "role_id": roles[role]}
        await ok(await client.post(f"{API}/projects/{setup['project']}/users", json=member), 201)
    return ids


async def test_a_scenario_shows_a_member_only_their_projects_and_outlives_deleted_tasks(
    service: Catalog, tmp_path: Path
) -> None:
    async with workers_for(service, tmp_path) as catalog:
        client = catalog.client
        setup = await show(catalog)
        second = await second_project(catalog, setup)
        assert (await schedule(catalog, setup["studio"]))["status"] == "completed"
        changes = {
            "priorities": [{"task_id": second["task"], "priority": 900}],
            "timings": [{"task_id": setup["tasks"]["A"], "schedule_timing": 4}],
        }
        job = await what_if(catalog, setup, changes, project_ids=[setup["project"], second["project"]])
        url = f"{API}/schedule-jobs/{job['id']}"

        viewer = await service.token_for("vic")
        seen = await ok(await client.get(f"{url}/scenario", headers=viewer))
        assert {m["project_id"] for m in seen["moves"]} == {setup["project"]}
        assert [p["project_id"] for p in seen["projects"]] == [setup["project"]]
        assert seen["what_if"] == {}  # it names a task of a project vic is not in
        assert (await ok(await client.get(url, headers=viewer)))["what_if"] == {}
        assert (await ok(await client.get(url)))["what_if"]["priorities"][0]["priority"] == 900

        await ok(await client.get(f"{API}/tasks/{setup['tasks']['B']}"))
        deleted = await client.delete(f"{API}/tasks/{setup['tasks']['B']}")
        assert deleted.status_code == 204, deleted.text
        after = await ok(await client.get(f"{url}/scenario"))
        assert setup["tasks"]["B"] not in {m["task_id"] for m in after["moves"]}
        assert setup["tasks"]["A"] in {m["task_id"] for m in after["moves"]}
        refused = await problem(await client.post(f"{url}/apply"), 409)
        assert refused["changed"]["tasks"] == [setup["tasks"]["B"]]


async def test_what_a_scenario_names_beyond_the_snapshot_is_checked_too(
    service: Catalog, tmp_path: Path
) -> None:
    async with workers_for(service, tmp_path) as catalog:
        client = catalog.client
        setup = await show(catalog)
        second = await second_project(catalog, setup)
        # A vacation of someone no task uses, cancelled in the scenario, deleted meanwhile.
        leave = {"user_id": second["vic"], "start": iso(at(7)), "end": iso(at(9))}
        vacation = await ok(await client.post(f"{API}/vacations", json=leave), 201)
        job = await what_if(catalog, setup, {"vacations_cancelled": [vacation["id"]]})
        assert (await client.delete(f"{API}/vacations/{vacation['id']}")).status_code == 204
        refused = await problem(await client.post(f"{API}/schedule-jobs/{job['id']}/apply"), 409)
        # Named by the changes, and vic's calendar as the snapshot has it.
        assert refused["changed"] == {"vacations": [vacation["id"]], "resources": [second["vic"]]}

        # A project's end is only the run's projects' to imagine.
        url = f"{API}/studios/{setup['studio']}/schedule"
        outside = {
            "project_ids": [setup["project"]],
            "what_if": {"project_ends": [{"project_id": second["project"], "end": iso(at(31))}]},
        }
        found = await problem(await client.post(url, json=outside), 422)
        assert found["field"] == "what_if.project_ends[0].project_id"


async def test_a_queued_run_started_by_a_producers_request_snapshots_the_whole_studio(
    service: Catalog,
) -> None:
    """Ending a run starts the next queued one inside the request that ended it: a producer's cancel, whose
    session sees only their projects. The queued whole-studio run must still get every project."""
    client = service.client
    setup = await show(service)
    second = await second_project(service, setup)
    producer = await service.token_for("pam")
    url = f"{API}/studios/{setup['studio']}/schedule"
    mine = await ok(await client.post(url, json={"project_ids": [setup["project"]]}, headers=producer), 202)
    whole = await ok(await client.post(url, json={}), 202)
    assert (mine["status"], whole["status"]) == ("running", "queued")
    await ok(await client.post(f"{API}/schedule-jobs/{mine['id']}/cancel", headers=producer))
    started = await ok(await client.get(f"{API}/schedule-jobs/{whole['id']}"))
    assert started["status"] == "running"
    async with service.runtime.sessionmaker() as session:
        sent = await session.scalar(
            select(func.sum(ScheduleJobPart.tasks)).where(ScheduleJobPart.job_id == whole["id"])
        )
        projects = await session.scalars(
            select(ScheduleJobPart.project_ids).where(ScheduleJobPart.job_id == whole["id"])
        )
        assert sorted(p for ids in projects for p in ids) == sorted([setup["project"], second["project"]])
    assert sent == 4  # A, B, C and SEC's D
