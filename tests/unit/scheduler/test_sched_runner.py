"""The tj3 runner against stand-in scripts, and tj3's messages mapped back to tasks and resources."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stalker_scheduler.engine import (
    DRIVER,
    DriverUnavailable,
    Tj3Failed,
    Tj3Missing,
    Tj3Timeout,
    run_driver,
    run_engine,
    run_tj3,
)
from stalker_scheduler.service.compute import schedule
from stalker_scheduler.tjp import map_problems, render_tjp
from stalker_shared.contracts.scheduling import (
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleFailed,
    ScheduleRequested,
    StudioSnapshot,
    TaskSnapshot,
)

START = datetime(2014, 4, 2, tzinfo=UTC)


def small_request(parent_id: int | None = 36) -> ScheduleRequested:
    return ScheduleRequested(
        job_id=5,
        studio=StudioSnapshot(id=31, name="S", now=START, start=START, end=START + timedelta(days=30)),
        resources=(ResourceSnapshot(id=29, name="Erkan", login="eoyilmaz"),),
        projects=(ProjectSnapshot(id=34, code="FC", name="FC"),),
        tasks=(
            TaskSnapshot(id=36, project_id=34, name="SH001", kind="shot"),
            TaskSnapshot(id=37, project_id=34, parent_id=parent_id, name="Previs", resources=(29,)),
            TaskSnapshot(id=39, project_id=34, parent_id=36, name="Matchmove", resources=(29,)),
        ),
    )


def fake_tj3(tmp_path: Path, body: str, name: str = "tj3") -> str:
    script = tmp_path / name
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_tj3_messages_name_their_tasks_and_resources() -> None:
    request = small_request()
    tjp = render_tjp(request, "breakdown")
    lines = tjp.splitlines()
    allocate_line = lines.index("      allocate User_29", lines.index('    task Task_39 "Matchmove" {'))
    stderr = (
        "schedule.tjp:26: Warning: 4.7d of effort of task Project_34.Task_36.Task_37 does not fit. \n"
        "Warning: 2 tasks could not be scheduled\n"
        f"schedule.tjp:{allocate_line + 1}: Error: User_99 is not a defined resource.\n"
        "      allocate User_99\n"
        "schedule.tjp:3: Error: Task_37 has a start, an end and a duration specification.\n"
    )

    problems = map_problems(stderr, request, tjp)

    assert [(p.severity, p.line, p.task_id, p.task_name, p.resource_id) for p in problems] == [
        ("warning", 26, 37, "Previs", None),
        ("warning", None, None, None, None),
        ("error", allocate_line + 1, 39, "Matchmove", 99),
        ("error", 3, 37, "Previs", None),
    ]
    assert problems[0].message == "4.7d of effort of task Project_34.Task_36.Task_37 does not fit."
    assert problems[2].resource_name is None  # not in the request


def test_a_line_inside_a_resource_names_the_resource() -> None:
    request = small_request()
    tjp = render_tjp(request, "breakdown")
    line = tjp.splitlines().index("    efficiency 1.0") + 1

    (problem,) = map_problems(f"schedule.tjp:{line}: Error: bad efficiency\n", request, tjp)

    assert (problem.resource_id, problem.resource_name, problem.task_id) == (29, "Erkan", None)


def test_foreign_stderr_is_kept_as_one_error() -> None:
    (problem,) = map_problems("starting\nsome random exit message\n")

    assert (problem.severity, problem.message, problem.line) == ("error", "some random exit message", None)


def running(pid: int) -> bool:
    """Whether a process lives (a zombie left for an init that does not reap counts as dead)."""
    stat_file = Path(f"/proc/{pid}/stat")
    return stat_file.exists() and stat_file.read_text().split()[2] not in ("Z", "X")


async def gone_soon(pid: int) -> bool:
    """Whether the process is dead within a second (a killed child may still be runnable for a moment)."""
    for _ in range(100):
        if not running(pid):
            return True
        await asyncio.sleep(0.01)
    return not running(pid)


async def test_a_missing_tj3_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(Tj3Missing) as caught:
        await run_tj3("", tj3_path=str(tmp_path / "nowhere" / "tj3"), timeout=5)

    assert "apt-get install tj3" in caught.value.message
    assert "gem install taskjuggler" in caught.value.message
    assert caught.value.reason == "tj3_missing"


async def test_a_file_that_cannot_run_counts_as_missing(tmp_path: Path) -> None:
    script = tmp_path / "tj3"
    script.write_text("#!/bin/sh\n")

    with pytest.raises(Tj3Missing):
        await run_tj3("", tj3_path=str(script), timeout=5)


async def test_a_failing_tj3_raises_with_its_message(tmp_path: Path) -> None:
    tj3 = fake_tj3(tmp_path, 'echo "some random exit message" >&2\nexit 3\n')

    with pytest.raises(Tj3Failed) as caught:
        await run_tj3("project", tj3_path=tj3, timeout=5)

    assert caught.value.returncode == 3
    assert [problem.message for problem in caught.value.problems] == ["some random exit message"]
    assert caught.value.message == "tj3 failed: some random exit message"


async def test_a_slow_tj3_is_killed_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    tj3 = fake_tj3(tmp_path, f'sleep 30 &\necho $! > "{pid_file}"\nwait\n')

    # 2 s: time enough for the script to write its child's pid on a loaded machine.
    with pytest.raises(Tj3Timeout, match=r"within 2 s"):
        await run_tj3("project", tj3_path=tj3, timeout=2)

    assert await gone_soon(int(pid_file.read_text()))


async def test_a_successful_run_returns_the_report_and_times_the_phases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STALKER_SECRET", "do-not-leak")
    tj3 = fake_tj3(
        tmp_path,
        'test "$1 $2 $3" = "--no-color schedule.tjp -o" || exit 9\n'
        'grep -q "^project" schedule.tjp || exit 8\n'
        "printf 'TaskJuggler v3.7.1\\n\\nReading file schedule.tjp   ...\\r'\n"
        "sleep 0.3\n"
        "printf 'Reading file schedule.tjp   [      Done      ]\\n'\n"
        "printf 'Scheduling scenario Plan   ...\\rScheduling scenario Plan   [      Done      ]\\n'\n"
        'echo "schedule.tjp:3: Warning: careful TZ=$TZ LANG=$LANG SECRET=${STALKER_SECRET:-unset}" >&2\n'
        'echo \'"Id";"Start";"End"\' > "$4/breakdown.csv"\n',
    )

    result = await run_tj3("project x {}\n", tj3_path=tj3, timeout=10)

    assert result.csv_text == '"Id";"Start";"End"\n'
    assert result.stderr_lines == ["schedule.tjp:3: Warning: careful TZ=UTC LANG=C.UTF-8 SECRET=unset"]
    assert result.phases["read"] >= 0.25
    assert set(result.phases) == {"startup", "read", "schedule"}
    assert result.elapsed >= result.phases["read"]


async def test_a_run_without_a_report_fails(tmp_path: Path) -> None:
    with pytest.raises(Tj3Failed, match="0 CSV reports"):
        await run_tj3("project", tj3_path=fake_tj3(tmp_path, "exit 0\n"), timeout=5)


async def test_schedule_turns_every_failure_into_a_message(tmp_path: Path) -> None:
    request = small_request()

    missing = await schedule(request, engine="cli", tj3_path=str(tmp_path / "none"), timeout=5)
    failing = await schedule(
        request, engine="cli", tj3_path=fake_tj3(tmp_path, "echo 'no luck' >&2\nexit 1\n"), timeout=5
    )
    invalid = await schedule(small_request(parent_id=99), tj3_path="unused", timeout=5)

    assert isinstance(missing, ScheduleFailed) and missing.reason == "tj3_missing"
    assert isinstance(failing, ScheduleFailed) and failing.reason == "tj3_error"
    assert failing.problems[0].message == "no luck"
    assert isinstance(invalid, ScheduleFailed) and invalid.reason == "invalid_input"
    assert invalid.problems[0].task_id == 37
    assert {missing.job_id, failing.job_id, invalid.job_id} == {5}


# A stand-in for `ruby driver.rb schedule.tjp result.tsv`: what the runner passes, and a result it reads.
FAKE_RESULT = "printf 'stalker-tj3-result 1\\nProject_34\\t0\\t3600\\t\\nend 1\\n' > \"$3\"\n"
CSV_TJ3 = 'echo \'"Id";"Start";"End"\' > "$4/breakdown.csv"\n'


async def test_the_driver_runs_with_its_script_and_returns_its_result(tmp_path: Path) -> None:
    ruby = fake_tj3(
        tmp_path,
        f'test "$1 $2 $3" = "{DRIVER} schedule.tjp result.tsv" || exit 9\n'
        "printf 'Exporting results   ...\\rExporting results   [      Done      ]\\n'\n" + FAKE_RESULT,
        name="ruby",
    )

    result = await run_driver("project x {}\n", ruby_path=ruby, timeout=10)

    assert result.result_text is not None and result.result_text.startswith("stalker-tj3-result 1\n")
    assert result.csv_text == "" and result.bookings_text is None
    assert set(result.phases) == {"startup", "export"}
    assert DRIVER.is_file()


async def test_yjit_reaches_the_drivers_ruby(tmp_path: Path) -> None:
    ruby = fake_tj3(tmp_path, 'test "$1" = "--enable=yjit" || exit 9\nshift\n' + FAKE_RESULT, name="ruby")

    result = await run_driver("project", ruby_path=ruby, timeout=10, yjit=True)

    assert result.result_text is not None


@pytest.mark.parametrize(
    "ruby_body",
    [None, "echo 'stalker-driver: cannot load TaskJuggler (no such file)' >&2\nexit 3\n"],
    ids=["no ruby", "no library"],
)
async def test_a_driver_that_cannot_run_falls_back_to_the_tj3_command(
    tmp_path: Path, ruby_body: str | None
) -> None:
    ruby = str(tmp_path / "nowhere" / "ruby") if ruby_body is None else fake_tj3(tmp_path, ruby_body, "ruby")
    with pytest.raises(DriverUnavailable):
        await run_driver("project", ruby_path=ruby, timeout=5)

    result = await run_engine("project", ruby_path=ruby, tj3_path=fake_tj3(tmp_path, CSV_TJ3), timeout=5)

    assert result.csv_text == '"Id";"Start";"End"\n' and result.result_text is None


async def test_without_ruby_and_tj3_the_failure_says_how_to_install_tj3(tmp_path: Path) -> None:
    outcome = await schedule(
        small_request(), ruby_path=str(tmp_path / "ruby"), tj3_path=str(tmp_path / "tj3"), timeout=5
    )

    assert isinstance(outcome, ScheduleFailed) and outcome.reason == "tj3_missing"
    assert "apt-get install tj3" in outcome.message


async def test_the_cli_engine_never_tries_the_driver(tmp_path: Path) -> None:
    ruby = fake_tj3(tmp_path, f"touch {tmp_path / 'ran'}\n" + FAKE_RESULT, name="ruby")

    result = await run_engine(
        "project", engine="cli", ruby_path=ruby, tj3_path=fake_tj3(tmp_path, CSV_TJ3), timeout=5
    )

    assert result.result_text is None and not (tmp_path / "ran").exists()


async def test_a_failing_driver_is_mapped_like_tj3(tmp_path: Path) -> None:
    ruby = fake_tj3(tmp_path, "echo 'schedule.tjp:3: Error: broken' >&2\nexit 1\n", name="ruby")

    with pytest.raises(Tj3Failed) as caught:
        await run_engine("project", ruby_path=ruby, tj3_path="unused", timeout=5)

    assert caught.value.message == "tj3 failed: broken"
    assert [(p.line, p.severity) for p in caught.value.problems] == [(3, "error")]


async def test_a_driver_without_a_result_fails(tmp_path: Path) -> None:
    with pytest.raises(Tj3Failed, match="no result"):
        await run_driver("project", ruby_path=fake_tj3(tmp_path, "exit 0\n", name="ruby"), timeout=5)


async def test_a_slow_driver_is_killed_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    ruby = fake_tj3(tmp_path, f'sleep 30 &\necho $! > "{pid_file}"\nwait\n', name="ruby")

    with pytest.raises(Tj3Timeout, match=r"within 2 s"):
        await run_engine("project", ruby_path=ruby, tj3_path="unused", timeout=2)

    assert await gone_soon(int(pid_file.read_text()))
