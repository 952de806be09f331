"""Time logs as tj3 bookings, case by case against the real tj3 (issue 14, item 5).

What tj3 3.7.1 does with bookings, found by running it: it accepts them before and after `now`, outside
working hours and above the effort (a warning) with `overtime 2`; it refuses them outside the project's
frame, off the slot grid, on one slot twice for a resource, on a task pinned at its end or at both ends or
pinned to start after them, on a task with nothing else to schedule, and before a dependency's end. The
renderer avoids the refusals it can (pins, grid, empty tasks, as Stalker does); the others fail the run, as
they fail the reference's, with a problem naming the task.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_sched_tj3 import tj3_path  # noqa: F401  (the fixture)

from stalker_scheduler.engine.choice import EngineKind
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
NOW = datetime(2025, 1, 8, 12, tzinfo=UTC)  # a Wednesday


def at(day: int, hour: float) -> datetime:
    return datetime(2025, 1, day, tzinfo=UTC) + timedelta(hours=hour)


def logged(resource_id: int, start: datetime, end: datetime) -> Booking:
    return Booking(resource_id=resource_id, start=start, end=end)


def request(*tasks: TaskSnapshot) -> ScheduleRequested:
    return ScheduleRequested(
        job_id=1,
        studio=StudioSnapshot(id=1, name="S", now=NOW, start=at(6, 0), end=at(6, 0) + timedelta(days=60)),
        resources=(ResourceSnapshot(id=1, name="a", login="a"), ResourceSnapshot(id=2, name="b", login="b")),
        projects=(ProjectSnapshot(id=1, code="P", name="P"),),
        tasks=tasks,
    )


def task(task_id: int, **fields: Any) -> TaskSnapshot:
    values: dict[str, Any] = {
        "project_id": 1,
        "name": f"T{task_id}",
        "schedule_timing": 18,
        "resources": (1,),
    }
    return TaskSnapshot(id=task_id, **(values | fields))


async def run(
    tj3: str, *tasks: TaskSnapshot, engine: EngineKind = "driver"
) -> ScheduleCompleted | ScheduleFailed:
    return await schedule(request(*tasks), engine=engine, tj3_path=tj3, timeout=60)


def starts(outcome: ScheduleCompleted | ScheduleFailed) -> dict[int, tuple[datetime, datetime]]:
    assert isinstance(outcome, ScheduleCompleted), outcome
    return {t.id: (t.computed_start, t.computed_end) for t in outcome.tasks}


async def test_logged_work_stays_and_the_rest_goes_after_now(tj3_path: str) -> None:  # noqa: F811
    morning = logged(1, at(6, 9), at(6, 13))
    result = starts(
        await run(
            tj3_path,
            task(1, bookings=(morning,)),
            task(2, resources=(2,), bookings=(logged(2, at(7, 20), at(7, 23)),)),  # Tuesday night
            task(3, resources=(2,), schedule_timing=4, bookings=(logged(2, at(7, 9), at(7, 13)),)),
            task(4, resources=(2,), schedule_timing=9),
        )
    )
    assert result[1] == (at(6, 9), at(9, 17))  # 4 h on Monday, the other 14 h from Wednesday noon on
    assert result[2][0] == at(7, 20)
    assert result[3] == (at(7, 9), at(7, 13))  # all its effort logged: its span is its logs
    assert result[4][0] >= NOW


async def test_pinned_tasks_with_logs_are_scheduled_from_their_logs(tj3_path: str) -> None:  # noqa: F811
    pins: dict[str, Any] = {"start": at(9, 9), "end": at(20, 18)}
    cases = {
        1: {"schedule_constraint": "end", **pins},
        2: {"schedule_constraint": "both", **pins},
        3: {"schedule_constraint": "start", **pins},  # pinned after the log
    }
    tasks = [
        task(
            task_id,
            resources=(1 + task_id % 2,),
            bookings=(logged(1 + task_id % 2, at(5 + task_id, 9), at(5 + task_id, 11)),),
            **fields,
        )
        for task_id, fields in cases.items()
    ]
    tjp = render_tjp(request(*tasks), "r")
    assert "  start " not in tjp and "  end " not in tjp and tjp.count("effort 18.0h") == 3
    result = starts(await run(tj3_path, *tasks))
    assert {task_id: result[task_id][0] for task_id in cases} == {1: at(6, 9), 2: at(7, 9), 3: at(8, 9)}
    # Without logs the pins are written as before.
    assert "  start 2025-01-09-09:00-+0000" in render_tjp(request(task(4, **cases[3])), "r")


async def test_logs_off_the_slot_grid_are_rounded_to_the_nearest_slot(tj3_path: str) -> None:  # noqa: F811
    logs = (
        logged(1, at(6, 9.25), at(6, 10.5)),  # 09:15-10:30 -> 09:00-11:00
        logged(1, at(6, 10.5), at(6, 12.75)),  # 10:30-12:45 -> 11:00-13:00 (outwards it would clash)
        logged(1, at(6, 14), at(6, 14.4)),  # 24 minutes round to nothing: left out
    )
    tjp = render_tjp(request(task(1, bookings=logs)), "r")
    assert [line.strip() for line in tjp.splitlines() if "booking" in line] == [
        "booking User_1 2025-01-06-09:00-+0000 - 2025-01-06-11:00-+0000 { overtime 2 }",
        "booking User_1 2025-01-06-11:00-+0000 - 2025-01-06-13:00-+0000 { overtime 2 }",
    ]
    assert starts(await run(tj3_path, task(1, bookings=logs)))[1][0] == at(6, 9)


async def test_logs_above_the_effort_are_a_warning_naming_the_task(tj3_path: str) -> None:  # noqa: F811
    outcome = await run(tj3_path, task(1, schedule_timing=2, bookings=(logged(1, at(6, 9), at(6, 13)),)))
    assert starts(outcome)[1] == (at(6, 9), at(6, 13))
    assert isinstance(outcome, ScheduleCompleted)
    assert [(w.task_id, w.task_name) for w in outcome.warnings] == [(1, "T1")]
    assert "exceeds the specified effort" in outcome.warnings[0].message


async def test_a_task_with_logs_but_nobody_to_do_it_stays_empty_as_in_stalker(tj3_path: str) -> None:  # noqa: F811
    orphan = task(1, resources=(), bookings=(logged(1, at(6, 9), at(6, 13)),))
    assert render_tjp(request(orphan), "r").count("booking") == 0
    assert starts(await run(tj3_path, orphan))[1] == (at(6, 0), at(6, 0))  # a milestone at the start


@pytest.mark.parametrize("engine", ["driver", "cli"])
@pytest.mark.parametrize(
    ("tasks", "words"),
    [
        ((task(1, bookings=(logged(1, at(3, 9), at(3, 13)),)),), "within the project time frame"),
        (
            (
                task(2, schedule_timing=27),
                task(
                    1,
                    resources=(2,),
                    bookings=(logged(2, at(6, 9), at(6, 13)),),
                    dependencies=(TaskDependency(depends_on_id=2),),
                ),
            ),
            "must start after end",
        ),
        # After `now`, beyond where the rest of the work ends (a log in the future).
        ((task(1, bookings=(logged(2, at(11, 20), at(11, 23)),)),), "is after the end time"),
    ],
    ids=["outside the frame", "before a dependency's end", "after now"],
)
async def test_logs_tj3_refuses_fail_the_run_naming_the_task(
    tj3_path: str,  # noqa: F811
    tasks: tuple[TaskSnapshot, ...],
    words: str,
    engine: EngineKind,
) -> None:
    outcome = await run(tj3_path, *tasks, engine=engine)
    assert isinstance(outcome, ScheduleFailed), outcome
    assert outcome.reason == "tj3_error" and words in outcome.message
    assert any(p.task_id == 1 and p.task_name == "T1" and words in p.message for p in outcome.problems)
