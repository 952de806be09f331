"""Our Ruby driver (ruby/driver.rb) gives exactly what the plain tj3 command gives: the same task and project
dates, the same computed resources in the same order, the same warnings and errors, and a timeout stops it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_sched_tj3 import _deps, expected, replace_task, tutorial

from stalker_scheduler.engine import Tj3Failed, Tj3Timeout, run_driver, run_engine, run_tj3
from stalker_scheduler.service.compute import schedule
from stalker_scheduler.tjp import render_tjp
from stalker_shared.contracts.scheduling import (
    Booking,
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleCompleted,
    ScheduleFailed,
    ScheduleRequested,
    StudioSnapshot,
    TaskDependency,
    TaskSnapshot,
)

pytestmark = pytest.mark.tj3
BENCH_SHOW = Path(__file__).resolve().parents[3] / "bench" / "show.py"


@pytest.fixture(scope="module")
def tj3_path() -> str:
    path = shutil.which("tj3") or ("/usr/bin/tj3" if Path("/usr/bin/tj3").exists() else None)
    if path is None or shutil.which("ruby") is None:
        reason = "tj3 and its Ruby are not installed (apt-get install tj3, or gem install taskjuggler)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


async def both(request: ScheduleRequested, tj3_path: str) -> tuple[Any, Any]:
    """The outcome from the tj3 command and from the driver, asserted equal but for the timings."""
    cli = await schedule(request, engine="cli", tj3_path=tj3_path, timeout=120)
    driver = await schedule(request, engine="driver", tj3_path="/nonexistent/tj3", timeout=120)
    assert type(cli) is type(driver)
    assert cli.model_dump(exclude={"timings"}) == driver.model_dump(exclude={"timings"})
    return cli, driver


def show_request(leaves: int, zone: str, *, compute_resources: bool) -> ScheduleRequested:
    """bench/show.py's show with gaps, start constraints, a time log, alternatives and milestones added."""
    spec = importlib.util.spec_from_file_location("bench_show", BENCH_SHOW)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    show = module.describe(leaves)
    local = ZoneInfo(zone)
    now = datetime.fromisoformat(show["studio"]["now"]).replace(tzinfo=None).replace(tzinfo=local)
    start = datetime.fromisoformat(show["studio"]["start"]).replace(tzinfo=None).replace(tzinfo=local)
    logins = sorted({login for dept in show["departments"] for login in dept["users"]})
    user_ids = {login: 100 + number for number, login in enumerate(logins)}
    team = {dept["name"]: tuple(user_ids[login] for login in dept["users"]) for dept in show["departments"]}
    tasks: list[TaskSnapshot] = []
    next_id = iter(range(1000, 1_000_000))
    shot_number = 0
    for sequence in show["sequences"]:
        sequence_id = next(next_id)
        tasks.append(TaskSnapshot(id=sequence_id, project_id=1, name=sequence["code"], kind="sequence"))
        comps = []
        for shot in sequence["shots"]:
            shot_number += 1
            shot_id = next(next_id)
            tasks.append(
                TaskSnapshot(id=shot_id, project_id=1, parent_id=sequence_id, name=shot["code"], kind="shot")
            )
            step_ids = {step["name"]: next(next_id) for step in shot["tasks"]}
            for step in shot["tasks"]:
                extra: dict[str, Any] = {}
                dependencies = [TaskDependency(depends_on_id=step_ids[name]) for name in step["depends"]]
                if step["name"] == "lighting" and shot_number % 7 == 0:
                    model = "length" if shot_number % 14 else "duration"
                    dependencies = [
                        dep.model_copy(update={"gap_timing": 1, "gap_unit": "d", "gap_model": model})
                        for dep in dependencies
                    ]
                if step["name"] == "layout" and shot_number % 11 == 0:
                    extra |= {"schedule_constraint": "start", "start": now + timedelta(days=shot_number)}
                if shot_number % 5 == 0:
                    extra |= {"alternative_resources": team[step["department"]]}
                if step["name"] == "layout" and shot_number == 1:
                    logged = Booking(
                        resource_id=user_ids[step["user"]], start=now, end=now + timedelta(hours=4)
                    )
                    extra |= {"bookings": (logged,)}
                tasks.append(
                    TaskSnapshot(
                        id=step_ids[step["name"]],
                        project_id=1,
                        parent_id=shot_id,
                        name=step["name"],
                        priority=step["priority"],
                        schedule_timing=step["schedule_timing"],
                        schedule_unit=step["schedule_unit"],
                        schedule_model=step["schedule_model"],
                        resources=(user_ids[step["user"]],),
                        dependencies=tuple(dependencies),
                        **extra,
                    )
                )
            comps.append(step_ids["comp"])
        tasks.append(
            TaskSnapshot(
                id=next(next_id),
                project_id=1,
                parent_id=sequence_id,
                name="delivery",
                is_milestone=True,
                dependencies=_deps(*comps),
            )
        )
    return ScheduleRequested(
        job_id=8,
        studio=StudioSnapshot(
            id=1, name="Bench", timezone=zone, now=now, start=start, end=start + timedelta(days=365)
        ),
        resources=tuple(ResourceSnapshot(id=user_ids[login], name=login, login=login) for login in logins),
        projects=(ProjectSnapshot(id=1, code="BENCH", name="Bench Show"),),
        tasks=tuple(tasks),
        compute_resources=compute_resources,
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/Istanbul", "Asia/Kolkata"])
@pytest.mark.parametrize("compute_resources", [False, True])
async def test_the_tutorial_gets_the_same_outcome(tj3_path: str, zone: str, compute_resources: bool) -> None:
    cli, driver = await both(tutorial(zone, compute_resources=compute_resources), tj3_path)

    assert isinstance(driver, ScheduleCompleted)
    assert {"tj3.read", "tj3.schedule", "tj3.export"} <= set(driver.timings) and "tj3.report" in cli.timings
    if zone == "UTC":
        assert {t.id: (t.computed_start, t.computed_end) for t in driver.tasks} == {
            key: value for key, value in expected().items() if key != 34
        }
    assert any(t.resource_ids for t in driver.tasks) == compute_resources


async def test_gaps_constraints_and_milestones_get_the_same_dates(tj3_path: str) -> None:
    request = replace_task(
        tutorial(), 40, dependencies=_deps(38, gap_timing=1, gap_unit="d", gap_model="length")
    )
    request = replace_task(
        request, 37, schedule_constraint="start", start=datetime(2014, 4, 10, 9, tzinfo=ZoneInfo("UTC"))
    )
    delivery = TaskSnapshot(id=42, project_id=34, name="Delivery", is_milestone=True, dependencies=_deps(41))
    request = request.model_copy(update={"tasks": (*request.tasks, delivery), "compute_resources": True})

    _, driver = await both(request, tj3_path)

    assert isinstance(driver, ScheduleCompleted)
    milestone = next(t for t in driver.tasks if t.id == 42)
    assert milestone.computed_start == milestone.computed_end


@pytest.mark.parametrize(
    ("zone", "compute_resources"),
    [("UTC", False), ("UTC", True), ("America/Los_Angeles", True), ("Asia/Kolkata", False)],
)
async def test_a_generated_show_gets_the_same_outcome(
    tj3_path: str, zone: str, compute_resources: bool
) -> None:
    request = show_request(200, zone, compute_resources=compute_resources)

    cli, driver = await both(request, tj3_path)

    assert isinstance(driver, ScheduleCompleted), driver
    assert len(driver.tasks) == len(request.tasks) and len(driver.projects) == 1
    assert any(t.resource_ids for t in driver.tasks) == compute_resources
    assert cli.warnings == driver.warnings


async def test_several_resources_on_one_task_come_in_the_exports_order(tj3_path: str) -> None:
    # Three artists share each task: the booking export sorts them by id as text (User_100 < User_11).
    request = show_request(20, "UTC", compute_resources=True)
    crew = (11, 100, 9)
    resources = (*request.resources, *(ResourceSnapshot(id=i, name=f"x{i}", login=f"x{i}") for i in (9, 11)))
    tasks = tuple(
        t.model_copy(update={"resources": crew, "alternative_resources": ()}) if t.resources else t
        for t in request.tasks
    )
    request = request.model_copy(update={"tasks": tasks, "resources": resources})

    _, driver = await both(request, tj3_path)

    assert isinstance(driver, ScheduleCompleted)
    crews = {t.resource_ids for t in driver.tasks if t.resource_ids}
    assert (100, 11, 9) in crews  # and with the time-logged artist on shot 1's layout
    assert all(list(ids) == sorted(ids, key=lambda i: f"User_{i}") for ids in crews)


async def test_a_task_that_cannot_fit_fails_with_the_same_problems(tj3_path: str) -> None:
    request = tutorial()
    short = request.model_copy(
        update={"studio": request.studio.model_copy(update={"end": request.studio.start + timedelta(days=5)})}
    )

    _, driver = await both(short, tj3_path)

    assert isinstance(driver, ScheduleFailed) and driver.reason == "tj3_error"
    assert "did not fit" in driver.message
    assert ("warning", 37, "Previs") in {(p.severity, p.task_id, p.task_name) for p in driver.problems}


async def test_an_unknown_resource_is_the_same_error_on_the_same_line(tj3_path: str) -> None:
    tjp = render_tjp(tutorial(), "breakdown").replace("allocate User_29", "allocate User_99", 1)

    with pytest.raises(Tj3Failed) as by_cli:
        await run_tj3(tjp, tj3_path=tj3_path, timeout=60)
    with pytest.raises(Tj3Failed) as by_driver:
        await run_driver(tjp, timeout=60)

    assert by_driver.value.message == by_cli.value.message
    assert by_driver.value.problems == by_cli.value.problems
    assert any(p.resource_id == 99 and p.line for p in by_driver.value.problems)


async def test_the_driver_is_stopped_at_its_timeout(tj3_path: str) -> None:
    request = show_request(1000, "UTC", compute_resources=True)

    with pytest.raises(Tj3Timeout, match="within 1 s"):
        await run_engine(render_tjp(request, "breakdown"), tj3_path="/nonexistent/tj3", timeout=1)


async def test_a_ruby_that_cannot_load_taskjuggler_falls_back_to_tj3(tj3_path: str, tmp_path: Path) -> None:
    # The real driver under a Ruby whose load path lacks TaskJuggler: it exits 3, the tj3 command runs.
    hide = tmp_path / "hide.rb"
    hide.write_text("$LOAD_PATH.reject! { |dir| dir.include?('vendor_ruby') }\n")
    ruby = tmp_path / "ruby"
    ruby.write_text(f'#!/bin/sh\nexec {shutil.which("ruby")} --disable-gems -r{hide} "$@"\n')
    ruby.chmod(ruby.stat().st_mode | stat.S_IXUSR)

    outcome = await schedule(tutorial(), ruby_path=str(ruby), tj3_path=tj3_path, timeout=60)

    assert isinstance(outcome, ScheduleCompleted)
    assert "tj3.report" in outcome.timings and "tj3.export" not in outcome.timings
