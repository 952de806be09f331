"""Failures explained: each kind of thing tj3 cannot do, produced by running the real tj3 on a rendered
plan, becomes problems of the right kind that name the task and the resource and say what to change, with
tj3's own text kept in `message`."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stalker_scheduler.engine import Tj3Failed, run_tj3
from stalker_scheduler.service.compute import schedule
from stalker_scheduler.tjp import map_problems, render_tjp
from stalker_shared.contracts.scheduling import (
    Booking,
    Problem,
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
# A Monday at midnight: the studio's frame is the same whether written to the hour or in whole days.
START = datetime(2026, 3, 2, tzinfo=UTC)
ERKAN, OZGUR = 29, 30


@pytest.fixture(scope="module")
def tj3_path() -> str:
    path = shutil.which("tj3") or ("/usr/bin/tj3" if os.path.exists("/usr/bin/tj3") else None)
    if path is None:
        reason = "tj3 is not installed (apt-get install tj3, or gem install taskjuggler)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def studio(days: int = 30, **changes: Any) -> ScheduleRequested:
    values: dict[str, Any] = {
        "job_id": 1,
        "studio": StudioSnapshot(
            id=1, name="Studio", now=START, start=START, end=START + timedelta(days=days)
        ),
        "resources": (
            ResourceSnapshot(id=ERKAN, name="Erkan", login="erkan"),
            ResourceSnapshot(id=OZGUR, name="Ozgur", login="ozgur"),
        ),
        "projects": (ProjectSnapshot(id=34, code="FC", name="Fancy Commercial"),),
    }
    return ScheduleRequested(**(values | changes))


def plan(*tasks: TaskSnapshot, days: int = 30, **changes: Any) -> ScheduleRequested:
    shot = TaskSnapshot(id=36, project_id=34, name="SH001", kind="shot")
    return studio(days, tasks=(shot, *tasks), **changes)


def task(task_id: int, name: str, days: float, *resources: int, **changes: Any) -> TaskSnapshot:
    values: dict[str, Any] = {
        "id": task_id,
        "project_id": 34,
        "parent_id": 36,
        "name": name,
        "schedule_timing": days,
        "schedule_unit": "d",
        "resources": resources or (ERKAN,),
    }
    return TaskSnapshot(**(values | changes))


def after(*task_ids: int, **changes: Any) -> tuple[TaskDependency, ...]:
    return tuple(TaskDependency(depends_on_id=task_id, **changes) for task_id in task_ids)


def logged(resource_id: int, hours_from: int, hours_to: int) -> Booking:
    return Booking(
        resource_id=resource_id,
        start=START + timedelta(hours=hours_from),
        end=START + timedelta(hours=hours_to),
    )


async def tj3_stderr(request: ScheduleRequested, tj3_path: str) -> tuple[str, str]:
    """The rendered plan and what the real tj3 wrote on stderr about it."""
    tjp = render_tjp(request, "breakdown")
    try:
        return tjp, (await run_tj3(tjp, tj3_path=tj3_path, timeout=60)).stderr
    except Tj3Failed as failed:
        return tjp, failed.stderr


async def explained(request: ScheduleRequested, tj3_path: str) -> list[Problem]:
    tjp, stderr = await tj3_stderr(request, tj3_path)
    assert stderr.strip(), "tj3 said nothing"
    return map_problems(stderr, request, tjp)


def about(problems: list[Problem], kind: str, severity: str = "warning") -> list[Problem]:
    found = [p for p in problems if p.kind == kind and p.severity == severity]
    assert found, [(p.severity, p.kind, p.explanation) for p in problems]
    return found


def closing_error(problems: list[Problem]) -> Problem:
    (error,) = [p for p in problems if p.severity == "error"]
    return error


async def test_too_much_work_does_not_fit_the_studios_dates(tj3_path: str) -> None:
    problems = await explained(plan(task(37, "Animation", 40)), tj3_path)

    (problem,) = about(problems, "does_not_fit")
    assert (problem.task_id, problem.task_name, problem.resource_id) == (37, "Animation", None)
    assert problem.explanation == (
        "Animation (SH001) needs 40 days of work from 2026-03-02 09:00, but 18 days of it do not fit before "
        "the studio's end 2026-04-01: extend the studio's end or reduce the effort"
    )
    assert problem.message.startswith("18.0d of effort of task Project_34.Task_36.Task_37 does not fit")
    error = closing_error(problems)
    assert (error.kind, error.task_id, error.line) == ("does_not_fit", 37, problem.line)
    assert error.explanation is not None and "Animation (SH001) did not fit" in error.explanation
    assert error.message == "Some tasks did not fit into the project time frame."


async def test_a_duration_that_does_not_fit_is_told_in_calendar_days(tj3_path: str) -> None:
    problems = await explained(plan(task(37, "Animation", 40, schedule_model="duration")), tj3_path)

    (problem,) = about(problems, "does_not_fit")
    # tj3 counts what is left of an effort only (it says -22.0d here): the explanation leaves it out.
    assert "-22" in problem.message and problem.explanation is not None
    assert problem.explanation.startswith(
        "Animation (SH001) needs 40 days from 2026-03-02, but it does not fit"
    )
    assert problem.explanation.endswith("reduce the duration")


async def test_a_resource_wanted_by_another_task_is_overbooked(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 15), task(38, "Lighting", 15), days=20)

    problems = await explained(request, tj3_path)

    (problem,) = about(problems, "overbooked")
    assert (problem.task_id, problem.task_name, problem.resource_id, problem.resource_name) == (
        38,
        "Lighting",
        ERKAN,
        "Erkan",
    )
    assert problem.explanation == (
        "Lighting (SH001) needs Erkan for 15 days of work from 2026-03-02, but Erkan is also booked on "
        "Animation (SH001) for 135 h of the same time, so 15 days of it do not fit before the studio's end "
        "2026-03-22: give Lighting (SH001) another resource, give the other task to someone else or extend "
        "the studio's end"
    )
    assert "User_29(135)" in problem.message  # tj3's competitor line, kept
    assert closing_error(problems).kind == "overbooked"


async def test_an_overbooked_task_has_one_problem_per_resource(tj3_path: str) -> None:
    request = plan(
        task(37, "Layout", 8, ERKAN, OZGUR),
        task(38, "Animation", 8, ERKAN),
        task(39, "Lighting", 8, OZGUR),
        task(40, "FX", 8, ERKAN, OZGUR),
        days=14,
    )

    problems = await explained(request, tj3_path)

    fx = {p.resource_id: p.explanation for p in about(problems, "overbooked") if p.task_id == 40}
    assert set(fx) == {ERKAN, OZGUR}
    assert "Erkan is also booked on Layout (SH001) and Animation (SH001)" in (fx[ERKAN] or "")
    assert "Ozgur is also booked on Layout (SH001) and Lighting (SH001)" in (fx[OZGUR] or "")
    stopped = closing_error(problems).explanation or ""
    assert "Animation (SH001), Lighting (SH001) and FX (SH001) did not fit" in stopped


async def test_a_resource_on_leave_to_the_end_leaves_nobody_to_do_it(tj3_path: str) -> None:
    away = Vacation(start=START - timedelta(days=1), end=START + timedelta(days=60))
    request = plan(
        task(37, "Animation", 3),
        resources=(ResourceSnapshot(id=ERKAN, name="Erkan", login="erkan", vacations=(away,)),),
    )

    problems = await explained(request, tj3_path)

    (problem,) = about(problems, "no_resources")
    assert (problem.task_id, problem.resource_id, problem.resource_name) == (37, ERKAN, "Erkan")
    assert problem.explanation == (
        "Animation (SH001) needs Erkan for 3 days of work from 2026-03-02, but Erkan is on leave from "
        "2026-03-01 to 2026-05-01, past the studio's end 2026-04-01: give it another resource or shorten "
        "the leave"
    )


async def test_a_duration_task_that_got_nobody_is_a_warning_of_a_completed_run(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 15), task(38, "Review", 3, schedule_model="duration"))

    outcome = await schedule(request, engine="cli", tj3_path=tj3_path, timeout=60)

    assert isinstance(outcome, ScheduleCompleted)
    (warning,) = outcome.warnings
    assert (warning.kind, warning.task_name, warning.resource_name) == ("no_resources", "Review", "Erkan")
    assert warning.explanation is not None
    assert warning.explanation.startswith("Review (SH001) got none of its resources (Erkan)")


async def test_tasks_depending_on_each_other_are_a_dependency_loop(tj3_path: str) -> None:
    request = plan(
        task(37, "Layout", 1, dependencies=after(39)),
        task(38, "Animation", 1, dependencies=after(37)),
        task(39, "Lighting", 1, dependencies=after(38)),
    )

    problems = await explained(request, tj3_path)

    (loop,) = about(problems, "dependency_loop")
    assert loop.task_id == 37
    assert loop.explanation == (
        "Layout (SH001), Animation (SH001) and Lighting (SH001) depend on each other in a loop (Layout "
        "(SH001) -> Animation (SH001) -> Lighting (SH001) -> Layout (SH001)), so none of them can be "
        "scheduled first: remove one of these dependencies"
    )
    error = closing_error(problems)
    assert (error.kind, error.message) == ("dependency_loop", "Aborting")
    assert "loop through Layout (SH001), Animation (SH001) and Lighting (SH001)" in (error.explanation or "")


async def test_overlapping_time_logs_are_a_booking_conflict(tj3_path: str) -> None:
    request = plan(
        task(37, "Animation", 3, bookings=(logged(ERKAN, 9, 12),)),
        task(38, "Lighting", 3, bookings=(logged(ERKAN, 10, 13),)),
    )

    problems = await explained(request, tj3_path)

    (problem,) = about(problems, "booking_conflict", "error")
    assert (problem.task_id, problem.resource_id, problem.resource_name) == (38, ERKAN, "Erkan")
    assert problem.explanation == (
        "Erkan's time logs on Animation (SH001) and Lighting (SH001) overlap at 2026-03-02 10:00: correct "
        "one of them"
    )
    assert problem.message.startswith("Resource User_29 has multiple conflicting bookings")


async def test_more_time_logged_than_the_effort_is_a_booking_warning(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 2, schedule_unit="h", bookings=(logged(ERKAN, 9, 14),)))

    (problem,) = about(await explained(request, tj3_path), "booking_conflict")
    assert problem.task_name == "Animation"
    assert problem.explanation == (
        "The time logged on Animation (SH001) (5 h) is more than its effort (2 h): raise the effort or "
        "correct the time logs"
    )


async def test_a_time_log_before_the_studios_start_is_a_booking_conflict(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 3, bookings=(logged(ERKAN, -63, -59),)))

    (problem,) = about(await explained(request, tj3_path), "booking_conflict", "error")
    assert (problem.task_id, problem.resource_id) == (37, ERKAN)
    assert problem.explanation == (
        "Erkan logged time on Animation (SH001) at 2026-02-27 09:00, outside the studio's dates 2026-03-02 - "
        "2026-04-01: widen the studio's dates or correct the time log"
    )


async def test_a_pinned_start_outside_the_studio_is_a_constraint(tj3_path: str) -> None:
    early = task(37, "Animation", 2, schedule_constraint="start", start=START - timedelta(days=5, hours=-9))

    (problem,) = about(await explained(plan(early), tj3_path), "constraint", "error")
    assert problem.task_id == 37
    assert problem.explanation == (
        "Animation (SH001) is pinned to start 2026-02-25 09:00, outside the studio's dates 2026-03-02 - "
        "2026-04-01: move the pinned date inside them or widen the studio's dates"
    )
    assert problem.message.startswith("Date 2026-02-25-09:00-+0000 must be within the project time frame")


async def test_a_task_that_cannot_start_before_its_constraint_is_a_constraint(tj3_path: str) -> None:
    late = task(37, "Animation", 10, schedule_constraint="start", start=START + timedelta(days=25, hours=9))

    (problem,) = about(await explained(plan(late), tj3_path), "constraint")
    assert problem.explanation == (
        "Animation (SH001) is pinned to start 2026-03-27 09:00 and needs 10 days of work, but 7 days of it "
        "do not fit before the studio's end 2026-04-01: pin it earlier, reduce the effort or extend the "
        "studio's end"
    )


async def test_a_task_pinned_to_end_too_early_is_a_constraint(tj3_path: str) -> None:
    early = task(37, "Animation", 10, schedule_constraint="end", end=START + timedelta(days=3, hours=18))

    (problem,) = about(await explained(plan(early), tj3_path), "constraint")
    assert problem.explanation is not None
    assert problem.explanation.startswith(
        "Animation (SH001) must end by 2026-03-05 18:00 and needs 10 days of work, but 6 days of it do not "
        "fit between the studio's start 2026-03-02 and then"
    )


async def test_a_pinned_start_before_a_dependency_ends_is_a_constraint(tj3_path: str) -> None:
    request = plan(
        task(37, "Animation", 2, schedule_constraint="start", start=START + timedelta(days=5, hours=9)),
        task(
            38,
            "Lighting",
            2,
            dependencies=after(37, gap_timing=2, gap_unit="d"),
            schedule_constraint="start",
            start=START + timedelta(days=1, hours=9),
        ),
    )

    (problem,) = about(await explained(request, tj3_path), "constraint", "error")
    assert problem.task_id == 38
    assert problem.explanation == (
        "Lighting (SH001) is pinned to start 2026-03-03 09:00, but it depends on Animation (SH001), which "
        "ends 2026-03-10 18:00, and it must wait 2 working days after that: move the pinned date or remove "
        "the dependency"
    )


async def test_an_on_start_dependency_of_a_task_pinned_at_its_end_is_a_constraint(tj3_path: str) -> None:
    request = plan(
        task(37, "Animation", 2),
        task(
            38,
            "Lighting",
            2,
            dependencies=after(37, target="onstart"),
            schedule_constraint="end",
            end=START + timedelta(days=5),
        ),
    )

    (problem,) = about(await explained(request, tj3_path), "constraint", "error")
    assert problem.task_id == 38
    assert problem.message == "Tasks with on-start dependencies must be ASAP scheduled"
    assert problem.explanation == (
        "Lighting (SH001) is planned backwards from its pinned end, but it depends on the start of Animation "
        "(SH001), which only a task planned forwards can: pin its start instead, or depend on the end"
    )


async def test_a_plan_tj3_cannot_read_is_invalid_input(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 2))
    tjp = render_tjp(request, "breakdown").replace("allocate User_29", "allocate User_99", 1)
    with pytest.raises(Tj3Failed) as failed:
        await run_tj3(tjp, tj3_path=tj3_path, timeout=60)

    (problem,) = map_problems(failed.value.stderr, request, tjp)

    assert (problem.kind, problem.severity, problem.task_id, problem.resource_id) == (
        "invalid_input",
        "error",
        37,
        99,
    )
    assert problem.explanation is not None and "(allocate User_99)" in problem.explanation
    assert "resource 99 is not a defined resource" in problem.explanation


async def test_a_plan_without_tasks_is_invalid_input(tj3_path: str) -> None:
    problems = await explained(studio(projects=()), tj3_path)

    assert [(p.severity, p.kind, p.message, p.explanation) for p in problems] == [
        (
            "error",
            "invalid_input",
            "No tasks defined",
            "There is no task to schedule: the projects chosen have no tasks",
        )
    ]


def test_a_message_of_no_known_kind_is_other_with_tj3s_words(tj3_path: str, tmp_path: Path) -> None:
    finished = subprocess.run(
        [tj3_path, "--no-color", "missing.tjp"], cwd=tmp_path, capture_output=True, text=True, check=False
    )

    (problem,) = map_problems(finished.stderr)

    assert (problem.severity, problem.kind, problem.line) == ("error", "other", None)
    assert problem.message.startswith("Cannot open file missing.tjp")
    assert problem.explanation == f"tj3 reported: {problem.message}"


async def test_messages_of_a_plan_with_several_scenarios_are_explained_alike(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 15), task(38, "Lighting", 15), days=20)
    # tj3 writes "Warning in scenario plan: ..." once a plan has more than one scenario.
    tjp = render_tjp(request, "breakdown").replace(
        '  scenario plan "Plan"\n', '  scenario plan "Plan" {\n    scenario whatif "What if"\n  }\n'
    )
    with pytest.raises(Tj3Failed) as failed:
        await run_tj3(tjp, tj3_path=tj3_path, timeout=60)
    assert "Warning in scenario plan: " in failed.value.stderr

    problems = map_problems(failed.value.stderr, request, tjp)

    assert [(p.severity, p.kind, p.task_name, p.resource_name) for p in problems] == [
        ("warning", "overbooked", "Lighting", "Erkan"),
        ("error", "overbooked", "Lighting", None),
    ]


async def test_without_the_request_ids_stand_for_names(tj3_path: str) -> None:
    _, stderr = await tj3_stderr(plan(task(37, "Animation", 15), task(38, "Lighting", 15), days=20), tj3_path)

    problems = map_problems(stderr)

    (problem,) = about(problems, "overbooked")
    assert (problem.task_id, problem.resource_id, problem.task_name) == (38, ERKAN, None)
    assert problem.explanation is not None
    assert problem.explanation.startswith(
        "task 38 needs resource 29 for 15 days from 2026-03-02, but resource 29 is"
    )
    assert "before the studio's end:" in problem.explanation
    assert closing_error(problems).task_id == 38  # by its line, without the .tjp


async def test_the_failed_outcome_carries_the_explained_problems_from_either_engine(tj3_path: str) -> None:
    request = plan(task(37, "Animation", 15), task(38, "Lighting", 15), days=20)

    by_cli = await schedule(request, engine="cli", tj3_path=tj3_path, timeout=60)
    by_driver = await schedule(request, engine="driver", tj3_path=tj3_path, timeout=60)

    assert isinstance(by_cli, ScheduleFailed) and isinstance(by_driver, ScheduleFailed)
    assert by_cli.problems == by_driver.problems
    assert [(p.kind, p.task_name, p.resource_name) for p in by_cli.problems] == [
        ("overbooked", "Lighting", "Erkan"),
        ("overbooked", "Lighting", None),
    ]
    # Older readers' messages parse, and the explained ones survive the trip through the broker.
    assert ScheduleFailed.model_validate_json(by_cli.model_dump_json()) == by_cli
    old = Problem.model_validate({"severity": "error", "message": "tj3 said no"})
    assert (old.kind, old.explanation) == ("other", None)
