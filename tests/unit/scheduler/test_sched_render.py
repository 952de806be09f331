"""The .tjp renderer: escaping, the tutorial's shape, and what Stalker dropped (gaps, pins, zones)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from stalker_scheduler.tjp import (
    InvalidInput,
    render_project_tjp,
    render_resource_tjp,
    render_studio_tjp,
    render_task_tjp,
    render_tjp,
    tjp_string,
)
from stalker_shared.contracts.scheduling import (
    Booking,
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleRequested,
    StudioSnapshot,
    TaskDependency,
    TaskSnapshot,
    Vacation,
)

START = datetime(2014, 4, 2, tzinfo=UTC)
# A tj3 double-quoted string: \" is its only escape.
TJP_STRING = r'"(?:\\"|[^"])*"'


def studio(**changes: Any) -> StudioSnapshot:
    values: dict[str, Any] = {
        "id": 31,
        "name": "My Great Studio",
        "now": START + timedelta(hours=16),
        "start": START,
        "end": START + timedelta(days=365),
    }
    return StudioSnapshot(**(values | changes))


def task(task_id: int, name: str, **changes: Any) -> TaskSnapshot:
    values: dict[str, Any] = {"id": task_id, "project_id": 34, "parent_id": 36, "name": name}
    return TaskSnapshot(**(values | changes))


def request(*tasks: TaskSnapshot, **changes: Any) -> ScheduleRequested:
    values: dict[str, Any] = {
        "job_id": 1,
        "studio": studio(),
        "resources": tuple(
            ResourceSnapshot(id=rid, name=f"user {rid}", login=f"u{rid}") for rid in (29, 30, 31)
        ),
        "projects": (ProjectSnapshot(id=34, code="FC", name="Fancy Commercial"),),
        "tasks": (TaskSnapshot(id=36, project_id=34, name="SH001", kind="shot"), *tasks),
    }
    return ScheduleRequested(**(values | changes))


def tutorial() -> ScheduleRequested:
    effort = {"resources": (29,), "schedule_unit": "d"}
    return request(
        task(37, "Previs", schedule_timing=10, **effort),
        task(38, "Animation", schedule_timing=5, dependencies=_deps(37, 39), **effort),
        task(39, "Matchmove", schedule_timing=2, **effort),
        task(40, "Lighting", schedule_timing=3, dependencies=_deps(38), **effort),
        task(41, "comp", schedule_timing=6, schedule_unit="h", resources=(29,), dependencies=_deps(40)),
        TaskSnapshot(id=35, project_id=34, name="Sequence 1", kind="sequence"),
        resources=(ResourceSnapshot(id=29, name="Erkan Özgür", login="eoyilmaz"),),
    )


def _deps(*ids: int, **changes: Any) -> tuple[TaskDependency, ...]:
    return tuple(TaskDependency(depends_on_id=value, **changes) for value in ids)


def block(tjp: str, tjp_id: str) -> str:
    """The lines of one task block, from its header to its closing brace."""
    lines = tjp.splitlines()
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith(f"task {tjp_id} "))
    pad = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    last = next(i for i in range(first, len(lines)) if lines[i] == f"{pad}}}")
    return "\n".join(line.strip() for line in lines[first : last + 1])


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("Previs", '"Previs"'),
        ('say "hi"', r'"say \"hi\""'),
        ("two\nlines\r\tend", '"two lines  end"'),
        ("C:\\path\\", '"C:\\path\\ "'),
        ('back\\"slash', r'"back\\"slash"'),
        ("${projectstart} $(HOME) $x", '"\uff04{projectstart} \uff04(HOME) $x"'),
        ("Özgür 日本", '"Özgür 日本"'),
    ],
)
def test_tjp_string_makes_one_safe_literal(value: str, literal: str) -> None:
    assert tjp_string(value) == literal
    assert re.fullmatch(TJP_STRING, literal)


def test_an_injected_name_stays_one_string() -> None:
    evil = 'x" } task evil "y'
    tjp = render_tjp(request(task(37, evil, resources=(29,))), "breakdown")

    header = next(line for line in tjp.splitlines() if "Task_37" in line)
    assert re.fullmatch(rf"\s*task Task_37 {TJP_STRING} \{{", header)
    assert header.strip() == r'task Task_37 "x\" } task evil \"y" {'
    assert len(re.findall(r"^\s*task ", tjp, flags=re.MULTILINE)) == 3  # project, shot, task


def test_the_tutorial_renders_like_the_reference() -> None:
    tjp = render_tjp(tutorial(), "breakdown")

    assert block(tjp, "Task_38") == "\n".join(
        [
            'task Task_38 "Animation" {',
            "depends Project_34.Task_36.Task_37 {onend}, Project_34.Task_36.Task_39 {onend}",
            "effort 5.0d",
            "allocate User_29",
            "}",
        ]
    )
    assert block(tjp, "Task_41").splitlines()[2] == "effort 6.0h"
    assert block(tjp, "Task_35") == 'task Task_35 "Sequence 1" {\n}'
    # Children in id order, the shot's tasks nested under the project.
    assert re.findall(r"task (\w+) ", tjp) == ["Project_34", *(f"Task_{i}" for i in range(35, 42))]
    assert 'resource User_29 "Erkan Özgür" {' in tjp
    assert "  efficiency 1.0" in tjp


def test_the_studio_header_carries_the_calendar_and_the_zone() -> None:
    header = render_studio_tjp(tutorial())

    assert header.splitlines()[:5] == [
        'project Studio_31 "My Great Studio" 2014-04-02-00:00-+0000 - 2015-04-02-00:00-+0000 {',
        "  timingresolution 60min",
        '  timezone "UTC"',
        "  now 2014-04-02-16:00-+0000",
        "  dailyworkinghours 9",
    ]
    assert "  workinghours mon 09:00 - 18:00" in header
    assert "  workinghours sat off" in header
    assert "  trackingscenario plan" in header


def test_a_local_zone_is_declared_and_every_date_written_in_it() -> None:
    istanbul = timezone(timedelta(hours=3))
    snapshot = studio(
        timezone="Europe/Istanbul",
        now=datetime(2014, 4, 2, 16, tzinfo=istanbul),
        start=datetime(2014, 4, 2, tzinfo=istanbul),
        end=datetime(2015, 4, 2, tzinfo=istanbul),
        working_hours={"mon": ((540, 720), (780, 1080)), "sat": ((600, 1440),)},
    )
    pinned = task(
        37, "Previs", resources=(29,), schedule_constraint="start", start=datetime(2014, 5, 1, 6, tzinfo=UTC)
    )
    tjp = render_tjp(request(pinned, studio=snapshot), "breakdown")

    assert 'project Studio_31 "My Great Studio" 2014-04-02-00:00-+0300 - 2015-04-02-00:00-+0300 {' in tjp
    assert '  timezone "Europe/Istanbul"' in tjp
    assert "  now 2014-04-02-16:00-+0300" in tjp
    assert "  workinghours mon 09:00 - 12:00, 13:00 - 18:00" in tjp
    assert "  workinghours sat 10:00 - 24:00" in tjp
    assert "  workinghours tue off" in tjp
    assert "start 2014-05-01-09:00-+0300" in block(tjp, "Task_37")
    # The zone follows the resolution (checked against it) and precedes the hours (it resets them).
    assert tjp.index("timingresolution") < tjp.index("timezone") < tjp.index("workinghours")


def test_utc_aliases_become_the_name_tj3_knows() -> None:
    assert '  timezone "UTC"' in render_studio_tjp(request(studio=studio(timezone="Etc/UTC")))


def test_a_half_hour_zone_gets_a_finer_resolution() -> None:
    header = render_studio_tjp(request(studio=studio(timezone="Asia/Kolkata")))

    assert "  timingresolution 30min" in header
    # The frame is whole local days as the reference writes whole days; the header is read on tj3's
    # one-hour grid, before the zone applies: local midnight moves to the whole UTC hour before it.
    assert header.startswith(
        'project Studio_31 "My Great Studio" 2014-04-01-23:30-+0530 - 2015-04-02-00:30-+0530 {'
    )
    assert "  now 2014-04-02-21:30-+0530" in header


def test_working_hours_off_the_grid_refine_it() -> None:
    header = render_studio_tjp(request(studio=studio(working_hours={"mon": ((570, 1080),)})))

    assert "  timingresolution 30min" in header


def test_dates_are_aligned_to_the_grid_outwards() -> None:
    vacation = Vacation(
        start=START + timedelta(hours=9, minutes=40), end=START + timedelta(hours=10, minutes=5)
    )
    tjp = render_tjp(
        request(vacations=(vacation,), studio=studio(now=START + timedelta(hours=16, minutes=59))), "r"
    )

    assert "  vacation 2014-04-02-09:00-+0000 - 2014-04-02-11:00-+0000" in tjp
    assert "  now 2014-04-02-17:00-+0000" in tjp  # `now` to the nearest slot, as the reference rounds it


def test_dependency_gaps_are_written_in_tj3_units() -> None:
    dependent = task(
        38,
        "Animation",
        resources=(29,),
        dependencies=(
            TaskDependency(depends_on_id=37, gap_timing=1, gap_unit="d"),
            TaskDependency(
                depends_on_id=39, target="onstart", gap_timing=2, gap_unit="h", gap_model="duration"
            ),
            TaskDependency(depends_on_id=40, gap_timing=1, gap_unit="m"),
        ),
    )
    tjp = render_tjp(request(task(37, "a"), dependent, task(39, "b"), task(40, "c")), "r")

    assert (
        "depends Project_34.Task_36.Task_37 {onend gaplength 1.0d}, "
        "Project_34.Task_36.Task_39 {onstart gapduration 2.0h}, "
        "Project_34.Task_36.Task_40 {onend gaplength 1.0m}"
    ) in block(tjp, "Task_38")


def test_constraints_and_milestones() -> None:
    pin = datetime(2014, 4, 10, 9, tzinfo=UTC)
    tjp = render_tjp(
        request(
            task(37, "start", resources=(29,), schedule_constraint="start", start=pin),
            task(38, "end", resources=(29,), schedule_constraint="end", end=pin),
            task(
                39,
                "both",
                resources=(29,),
                schedule_constraint="both",
                start=pin,
                end=pin + timedelta(days=2),
            ),
            task(40, "review", is_milestone=True, resources=(29,), dependencies=_deps(37)),
        ),
        "r",
    )

    assert block(tjp, "Task_37").splitlines()[1:3] == ["start 2014-04-10-09:00-+0000", "effort 1.0h"]
    assert block(tjp, "Task_38").splitlines()[1:3] == ["end 2014-04-10-09:00-+0000", "effort 1.0h"]
    # tj3 refuses start + end + effort: pinned at both ends, the dates are the length of the work.
    assert block(tjp, "Task_39").splitlines()[1:4] == [
        "start 2014-04-10-09:00-+0000",
        "end 2014-04-12-09:00-+0000",
        "allocate User_29",
    ]
    assert block(tjp, "Task_40").splitlines()[1:] == [
        "depends Project_34.Task_36.Task_37 {onend}",
        "milestone",
        "}",
    ]


def test_allocation_priority_and_bookings() -> None:
    logged = Booking(resource_id=29, start=START + timedelta(hours=9), end=START + timedelta(hours=13))
    busy = task(
        37,
        "B",
        priority=800,
        resources=(29, 30),
        alternative_resources=(31,),
        allocation_strategy="order",
        bookings=(logged,),
    )
    loose = task(38, "C", resources=(31,), alternative_resources=(29,), persistent_allocation=False)
    tjp = render_tjp(request(busy, loose), "r")

    assert block(tjp, "Task_37").splitlines()[1:5] == [
        "priority 800",
        "effort 1.0h",
        "allocate User_29 { alternative User_31 select order persistent }, "
        "User_30 { alternative User_31 select order persistent }",
        "booking User_29 2014-04-02-09:00-+0000 - 2014-04-02-13:00-+0000 { overtime 2 }",
    ]
    assert "allocate User_31 { alternative User_29 select minallocated }" in block(tjp, "Task_38")


def test_models_and_units() -> None:
    tjp = render_tjp(
        request(
            task(37, "a", resources=(29,), schedule_model="duration", schedule_timing=4, schedule_unit="d"),
            task(38, "b", schedule_model="length", schedule_timing=1, schedule_unit="w"),
            task(39, "c", resources=(29,), schedule_timing=1, schedule_unit="m"),
            task(40, "d", resources=(29,), schedule_model="duration", schedule_timing=1, schedule_unit="m"),
            task(41, "e", resources=(29,), schedule_timing=0.5, schedule_unit="y"),
            task(42, "f", schedule_timing=3, schedule_unit="d"),
            task(43, "g", resources=(29,), schedule_timing=90, schedule_unit="min"),
        ),
        "r",
    )

    assert "duration 4.0d" in block(tjp, "Task_37")
    # Only a task with resources takes time, whatever its model: without, it is empty, as in Stalker.
    assert block(tjp, "Task_38") == 'task Task_38 "b" {\n}'
    # Months and years as given: tj3 converts them (a working month is 260.714 / 12 working days).
    assert "effort 1.0m" in block(tjp, "Task_39")
    assert "duration 1.0m" in block(tjp, "Task_40")
    assert "effort 0.5y" in block(tjp, "Task_41")
    assert block(tjp, "Task_42") == 'task Task_42 "f" {\n}'
    assert "effort 90.0min" in block(tjp, "Task_43")


def test_the_report_lists_ids_flat_and_resources_by_id() -> None:
    without = render_tjp(tutorial(), "breakdown")
    with_resources = render_tjp(tutorial().model_copy(update={"compute_resources": True}), "job-7")

    assert without.rstrip().endswith(
        'taskreport breakdown "breakdown" {\n'
        "  formats csv\n"
        '  timeformat "%Y-%m-%d-%H:%M%z"\n'
        "  columns id, start, end\n"
        "  sorttasks seqno.up\n"
        "}"
    )
    column = render_tjp(
        tutorial().model_copy(update={"compute_resources": True}), "job-7", bookings_export=False
    )
    assert "  columns id, start, end\n" in with_resources
    assert with_resources.rstrip().endswith(
        'export bookings "job-7-bookings" {\n'
        "  definitions -\n"
        "  taskattributes booking\n"
        "  resourceattributes -\n"
        "}"
    )
    assert "  columns id, start, end, resources { listitem \"<-query attribute='id'->\" }" in column
    assert "export" not in column and "export" not in without
    assert 'taskreport breakdown "job-7" {' in with_resources


@pytest.mark.parametrize("name", ["", "../x", "a b", 'x"'])
def test_report_names_are_plain_file_names(name: str) -> None:
    with pytest.raises(ValueError, match="report_name"):
        render_tjp(tutorial(), name)


def test_vacations_of_the_studio_and_of_a_resource() -> None:
    off = Vacation(start=START + timedelta(days=11), end=START + timedelta(days=16))
    alice = ResourceSnapshot(id=29, name="alice", login="alice", efficiency=0.5, vacations=(off,))
    tjp = render_tjp(request(resources=(alice,), vacations=(off,)), "r")

    assert (
        'resource resources "Resources" {\n  vacation 2014-04-13-00:00-+0000 - 2014-04-18-00:00-+0000\n'
        in tjp
    )
    assert render_resource_tjp(request(resources=(alice,)), 29) == (
        'resource User_29 "alice" {\n'
        "  efficiency 0.5\n"
        "  vacation 2014-04-13-00:00-+0000 - 2014-04-18-00:00-+0000\n"
        "}\n"
    )


def test_entity_renders_match_their_part_of_the_file() -> None:
    tutorial_request = tutorial()
    tjp = render_tjp(tutorial_request, "breakdown")

    assert render_task_tjp(tutorial_request, 41) in tjp
    assert render_task_tjp(tutorial_request, 41).startswith('    task Task_41 "comp" {')
    assert render_project_tjp(tutorial_request, 34) in tjp
    assert render_studio_tjp(tutorial_request) in tjp
    with pytest.raises(KeyError):
        render_task_tjp(tutorial_request, 99)


def test_broken_references_are_invalid_input() -> None:
    broken = request(
        task(37, "orphan", parent_id=99),
        task(38, "lonely", resources=(77,), dependencies=_deps(98)),
        task(39, "loop", parent_id=40),
        task(40, "loop", parent_id=39),
    )

    with pytest.raises(InvalidInput) as caught:
        render_tjp(broken, "r")

    messages = {(problem.task_id, problem.message) for problem in caught.value.problems}
    assert (37, "task 37 has unknown parent 99") in messages
    assert (38, "task 38 depends on unknown task 98") in messages
    assert (38, "task 38 uses unknown resource 77") in messages
    assert any("its own ancestor" in message for _, message in messages)
    assert caught.value.reason == "invalid_input"


def test_zones_tj3_refuses_are_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="Region/City"):
        render_tjp(request(studio=studio(timezone="EST5EDT")), "r")


def test_fifteen_thousand_tasks_render_quickly() -> None:
    tasks: list[TaskSnapshot] = []
    for shot in range(2500):
        shot_id = 100_000 + shot * 10
        tasks.append(TaskSnapshot(id=shot_id, project_id=34, name=f"SH{shot:04d}", kind="shot"))
        for step in range(1, 6):
            tasks.append(
                task(
                    shot_id + step,
                    f"step {step}",
                    parent_id=shot_id,
                    resources=(29 + step % 3,),
                    schedule_timing=2,
                    schedule_unit="d",
                    dependencies=_deps(shot_id + step - 1) if step > 1 else (),
                )
            )
    big = request(*tasks)

    started = time.perf_counter()
    tjp = render_tjp(big, "r")
    elapsed = time.perf_counter() - started

    assert tjp.count("\n  task Task_") == 2500 + 1  # and the request's own shot
    assert tjp.count("allocate User_") == 12500
    assert elapsed < 5, f"rendering 15,000 tasks took {elapsed:.2f} s"


def test_a_link_an_ancestor_already_holds_is_left_out() -> None:
    """tj3 refuses a dependency told twice (a child's link to the task its parent waits for) and fails
    the run, the reference's too; left out, the dates are the same. A stronger link stays."""
    parent = task(50, "Shot", dependencies=(TaskDependency(depends_on_id=37),))
    implied = task(
        51,
        "Comp",
        parent_id=50,
        resources=(29,),
        dependencies=(
            TaskDependency(depends_on_id=37, target="onstart"),
            TaskDependency(depends_on_id=38),
        ),
    )
    stronger = task(
        52,
        "Grade",
        parent_id=50,
        resources=(29,),
        dependencies=(TaskDependency(depends_on_id=37, gap_timing=2, gap_unit="h"),),
    )
    tjp = render_tjp(request(task(37, "Plate"), task(38, "Roto"), parent, implied, stronger), "r")

    assert "depends Project_34.Task_36.Task_38 {onend}\n" in block(tjp, "Task_51")
    assert "Task_37" not in block(tjp, "Task_51")
    assert "depends Project_34.Task_36.Task_37 {onend gaplength 2.0h}" in block(tjp, "Task_52")


def test_a_calendar_bound_timing_shorter_than_a_slot_takes_one_slot() -> None:
    tjp = render_tjp(
        request(
            task(
                37, "a", resources=(29,), schedule_model="duration", schedule_timing=30, schedule_unit="min"
            ),
            task(38, "b", resources=(29,), schedule_model="length", schedule_timing=0.5, schedule_unit="h"),
            task(39, "c", resources=(29,), schedule_timing=30, schedule_unit="min"),
        ),
        "r",
    )

    assert "duration 60.0min" in block(tjp, "Task_37")  # tj3 refuses it shorter: too few specifications
    assert "length 60.0min" in block(tjp, "Task_38")
    assert "effort 30.0min" in block(tjp, "Task_39")  # tj3 rounds a short effort up itself
