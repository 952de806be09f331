"""The scheduling core against the real tj3: the reference's tutorial dates, and what Stalker got wrong."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stalker_scheduler.engine import Tj3Failed, Tj3Missing, Tj3Timeout, run_tj3
from stalker_scheduler.service.compute import schedule
from stalker_scheduler.tjp import parse_csv, render_tjp
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
    Vacation,
)

pytestmark = pytest.mark.tj3

# Reference section 4.3: the tutorial scheduled by Stalker 1.1.2.1 with tj3 3.7.1 (local = UTC there).
REFERENCE = {
    34: ("2014-04-02 00:00", "2014-05-01 13:00"),  # project FC
    35: ("2014-04-02 00:00", "2014-04-02 00:00"),  # Sequence 1, empty: a milestone at the start
    36: ("2014-04-02 16:00", "2014-05-01 13:00"),  # SH001
    37: ("2014-04-02 16:00", "2014-04-16 16:00"),  # Previs 10 d
    39: ("2014-04-16 16:00", "2014-04-18 16:00"),  # Matchmove 2 d
    38: ("2014-04-18 16:00", "2014-04-25 16:00"),  # Animation 5 d
    40: ("2014-04-25 16:00", "2014-04-30 16:00"),  # Lighting 3 d
    41: ("2014-04-30 16:00", "2014-05-01 13:00"),  # comp 6 h
}


@pytest.fixture(scope="module")
def tj3_path() -> str:
    path = shutil.which("tj3") or ("/usr/bin/tj3" if Path("/usr/bin/tj3").exists() else None)
    if path is None:
        reason = "tj3 is not installed (apt-get install tj3, or gem install taskjuggler)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def local(text: str, zone: str = "UTC") -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))


def tutorial(zone: str = "UTC", *, names: dict[int, str] | None = None, **changes: Any) -> ScheduleRequested:
    """The reference's tutorial with its ids; the studio's day starts at local midnight in `zone`."""
    names = {
        34: "Fancy Commercial",
        35: "Sequence 1",
        36: "SH001",
        37: "Previs",
        38: "Animation",
        39: "Matchmove",
        40: "Lighting",
        41: "comp",
        29: "Erkan Özgür",
    } | (names or {})
    leaf = {"project_id": 34, "parent_id": 36, "resources": (29,)}
    tasks = [
        TaskSnapshot(id=35, project_id=34, name=names[35], kind="sequence"),
        TaskSnapshot(id=36, project_id=34, name=names[36], kind="shot"),
        TaskSnapshot(id=37, name=names[37], schedule_timing=10, schedule_unit="d", **leaf),
        TaskSnapshot(
            id=38, name=names[38], schedule_timing=5, schedule_unit="d", dependencies=_deps(37, 39), **leaf
        ),
        TaskSnapshot(id=39, name=names[39], schedule_timing=2, schedule_unit="d", **leaf),
        TaskSnapshot(
            id=40, name=names[40], schedule_timing=3, schedule_unit="d", dependencies=_deps(38), **leaf
        ),
        TaskSnapshot(
            id=41, name=names[41], schedule_timing=6, schedule_unit="h", dependencies=_deps(40), **leaf
        ),
    ]
    start = local("2014-04-02 00:00", zone)
    values: dict[str, Any] = {
        "job_id": 42,
        "studio": StudioSnapshot(
            id=31,
            name="My Great Studio",
            timezone=zone,
            now=local("2014-04-02 16:00", zone),
            start=start,
            end=start + timedelta(days=365),
        ),
        "resources": (ResourceSnapshot(id=29, name=names[29], login="eoyilmaz"),),
        "projects": (ProjectSnapshot(id=34, code="FC", name=names[34]),),
        "tasks": tuple(tasks),
    }
    return ScheduleRequested(**(values | changes))


def _deps(*ids: int, **changes: Any) -> tuple[TaskDependency, ...]:
    return tuple(TaskDependency(depends_on_id=value, **changes) for value in ids)


def replace_task(request: ScheduleRequested, task_id: int, **changes: Any) -> ScheduleRequested:
    tasks = tuple(t.model_copy(update=changes) if t.id == task_id else t for t in request.tasks)
    return request.model_copy(update={"tasks": tasks})


async def completed(request: ScheduleRequested, tj3_path: str) -> ScheduleCompleted:
    outcome = await schedule(request, tj3_path=tj3_path, timeout=60)
    assert isinstance(outcome, ScheduleCompleted), outcome
    return outcome


def dates(outcome: ScheduleCompleted) -> dict[int, tuple[datetime, datetime]]:
    found = {t.id: (t.computed_start, t.computed_end) for t in outcome.tasks}
    return found | {p.id: (p.computed_start, p.computed_end) for p in outcome.projects}


def expected(zone: str = "UTC") -> dict[int, tuple[datetime, datetime]]:
    return {key: (local(start, zone), local(end, zone)) for key, (start, end) in REFERENCE.items()}


async def test_the_tutorial_gets_the_reference_dates(tj3_path: str) -> None:
    outcome = await completed(tutorial(), tj3_path)

    assert dates(outcome) == expected()
    assert [t.id for t in outcome.tasks] == [35, 36, 37, 38, 39, 40, 41]
    assert all(t.resource_ids == () for t in outcome.tasks)
    assert all(t.computed_start.tzinfo == UTC for t in outcome.tasks)
    assert outcome.warnings == ()
    assert {"render", "tj3", "parse", "tj3.schedule", "tj3.export"} <= set(outcome.timings)


async def test_computed_resources_come_back_by_id(tj3_path: str) -> None:
    outcome = await completed(tutorial(compute_resources=True), tj3_path)

    resources = {t.id: t.resource_ids for t in outcome.tasks}
    assert resources == {35: (), 36: (), 37: (29,), 38: (29,), 39: (29,), 40: (29,), 41: (29,)}


@pytest.mark.parametrize(("zone", "offset"), [("Europe/Istanbul", 3), ("Asia/Kolkata", 5.5)])
async def test_working_hours_are_the_studios_local_hours(tj3_path: str, zone: str, offset: float) -> None:
    outcome = await completed(tutorial(zone), tj3_path)

    shift = timedelta(hours=offset)
    wanted = {key: (start - shift, end - shift) for key, (start, end) in expected().items()}
    if zone == "Asia/Kolkata":
        # tj3 reads the project's own start before the zone applies, on whole UTC hours: 23:30 local.
        early = local("2014-04-01 18:00")
        wanted |= {34: (early, wanted[34][1]), 35: (early, early)}
    assert dates(outcome) == wanted


@pytest.mark.parametrize(
    ("model", "timing", "lighting_start"),
    [
        ("length", 1, "2014-04-28 16:00"),  # one working day after Friday 16:00
        ("duration", 2, "2014-04-28 09:00"),  # Sunday 16:00, so Monday morning
    ],
)
async def test_a_dependency_gap_delays_the_dependent(
    tj3_path: str, model: str, timing: float, lighting_start: str
) -> None:
    gap = _deps(38, gap_timing=timing, gap_unit="d", gap_model=model)
    outcome = await completed(replace_task(tutorial(), 40, dependencies=gap), tj3_path)

    assert dates(outcome)[38] == expected()[38]
    assert dates(outcome)[40][0] == local(lighting_start)


async def test_a_start_constraint_is_honoured(tj3_path: str) -> None:
    pinned = replace_task(tutorial(), 37, schedule_constraint="start", start=local("2014-04-10 09:00"))

    result = dates(await completed(pinned, tj3_path))

    assert result[37] == (local("2014-04-10 09:00"), local("2014-04-23 18:00"))
    assert result[39] == (local("2014-04-02 16:00"), local("2014-04-04 16:00"))


async def test_a_milestone_sits_at_the_end_of_its_dependencies(tj3_path: str) -> None:
    delivery = TaskSnapshot(id=42, project_id=34, name="Delivery", is_milestone=True, dependencies=_deps(41))
    request = tutorial()
    outcome = await completed(request.model_copy(update={"tasks": (*request.tasks, delivery)}), tj3_path)

    assert dates(outcome)[42] == (local("2014-05-01 13:00"), local("2014-05-01 13:00"))


async def test_hostile_names_change_nothing(tj3_path: str) -> None:
    names = {
        37: 'x" } task evil "y',
        38: "${projectstart} $(HOME)",
        39: "trailing \\",
        40: "two\nlines // not a comment /* either",
        29: "Bob (User_5), Jr",
    }
    outcome = await completed(tutorial(names=names, compute_resources=True), tj3_path)

    assert dates(outcome) == expected()
    assert {t.resource_ids for t in outcome.tasks if t.id >= 37} == {(29,)}


async def test_vacations_alternatives_and_bookings(tj3_path: str) -> None:
    monday = datetime(2025, 1, 6, tzinfo=UTC)
    alice_off = Vacation(start=monday + timedelta(days=1), end=monday + timedelta(days=3))
    logged = Booking(resource_id=30, start=monday + timedelta(hours=9), end=monday + timedelta(hours=13))
    leaf: dict[str, Any] = {"project_id": 34, "schedule_unit": "h"}
    request = ScheduleRequested(
        job_id=1,
        studio=StudioSnapshot(
            id=1, name="S", now=monday + timedelta(hours=9), start=monday, end=monday + timedelta(days=60)
        ),
        resources=(
            ResourceSnapshot(id=29, name="alice", login="alice", vacations=(alice_off,)),
            ResourceSnapshot(id=30, name="bob", login="bob", efficiency=0.5),
        ),
        projects=(ProjectSnapshot(id=34, code="P", name="P"),),
        tasks=(
            TaskSnapshot(id=37, name="A", resources=(29,), schedule_timing=27, **leaf),
            TaskSnapshot(
                id=38,
                name="B",
                resources=(29,),
                alternative_resources=(30,),
                allocation_strategy="order",
                schedule_timing=4,
                schedule_constraint="start",
                start=monday + timedelta(days=1, hours=9),
                **leaf,
            ),
            TaskSnapshot(id=39, name="C", resources=(30,), schedule_timing=1, bookings=(logged,), **leaf),
        ),
        compute_resources=True,
    )

    outcome = await completed(request, tj3_path)
    result = dates(outcome)

    # Reference section 6.8: three days of work around a two-day vacation end on Friday evening.
    assert result[37] == (monday + timedelta(hours=9), datetime(2025, 1, 10, 18, tzinfo=UTC))
    # Alice is away on Tuesday: bob, at half speed, takes the 4 hours in 8.
    assert result[38] == (datetime(2025, 1, 7, 9, tzinfo=UTC), datetime(2025, 1, 7, 17, tzinfo=UTC))
    assert {t.id: t.resource_ids for t in outcome.tasks} == {37: (29,), 38: (30,), 39: (30,)}
    assert result[39][0] == monday + timedelta(hours=9)  # the booked time log


async def test_a_studio_too_short_fails_with_mapped_problems(tj3_path: str) -> None:
    request = tutorial()
    short = request.model_copy(
        update={"studio": request.studio.model_copy(update={"end": request.studio.start + timedelta(days=5)})}
    )

    with pytest.raises(Tj3Failed) as caught:
        await run_tj3(render_tjp(short, "breakdown"), tj3_path=tj3_path, timeout=60)
    outcome = await schedule(short, tj3_path=tj3_path, timeout=60)

    assert caught.value.reason == "tj3_error"
    assert "did not fit" in caught.value.message
    assert isinstance(outcome, ScheduleFailed)
    assert outcome.reason == "tj3_error"
    named = {(p.severity, p.task_id, p.task_name) for p in outcome.problems}
    assert ("warning", 37, "Previs") in named
    assert any(p.severity == "error" and p.line for p in outcome.problems)


async def test_a_run_over_its_time_is_stopped(tj3_path: str) -> None:
    with pytest.raises(Tj3Timeout):
        await run_tj3(render_tjp(tutorial(), "breakdown"), tj3_path=tj3_path, timeout=0.05)


async def test_no_tj3_is_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(Tj3Missing, match="apt-get install tj3"):
        await run_tj3("", tj3_path=str(tmp_path / "tj3"), timeout=5)


async def test_the_report_is_read_back_whole(tj3_path: str) -> None:
    request = tutorial(compute_resources=True)

    result = await run_tj3(
        render_tjp(request, "breakdown", bookings_export=False), tj3_path=tj3_path, timeout=60
    )
    tasks, projects = parse_csv(result.csv_text, request.studio.timezone)

    assert set(tasks) == {t.id for t in request.tasks}
    assert set(projects) == {34}
    assert result.csv_text.splitlines()[0] == '"Id";"Start";"End";"Resources"'
