"""A repeated request with nothing changed is answered without running tj3; YJIT reaches tj3's Ruby."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stalker_scheduler.engine import run_tj3
from stalker_scheduler.service.cache import OutcomeCache, tjp_key
from stalker_scheduler.service.compute import schedule
from stalker_shared.contracts.scheduling import (
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleCompleted,
    ScheduleRequested,
    StudioSnapshot,
    TaskSnapshot,
)

START = datetime(2014, 4, 2, tzinfo=UTC)


def request(job_id: int, hours: float = 10) -> ScheduleRequested:
    return ScheduleRequested(
        job_id=job_id,
        studio=StudioSnapshot(id=31, name="S", now=START, start=START, end=START + timedelta(days=30)),
        resources=(ResourceSnapshot(id=29, name="Erkan", login="eoyilmaz"),),
        projects=(ProjectSnapshot(id=34, code="FC", name="FC"),),
        tasks=(TaskSnapshot(id=37, project_id=34, name="Previs", schedule_timing=hours, resources=(29,)),),
    )


def counting_tj3(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in tj3 that counts its runs and writes a one-task report."""
    runs = tmp_path / "runs"
    script = tmp_path / "tj3"
    script.write_text(
        "#!/bin/sh\n"
        f'echo run >> "{runs}"\n'
        'printf \'"Id";"Start";"End"\\n"Project_34";"2014-04-02-09:00+0000";"2014-04-03-10:00+0000"\\n'
        '"Project_34.Task_37";"2014-04-02-09:00+0000";"2014-04-03-10:00+0000"\\n\' > "$4/breakdown.csv"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), runs


def run_count(runs: Path) -> int:
    return len(runs.read_text().splitlines()) if runs.exists() else 0


async def test_the_same_tjp_twice_runs_tj3_once_and_answers_the_new_job(tmp_path: Path) -> None:
    tj3, runs = counting_tj3(tmp_path)
    cache = OutcomeCache()
    first = await schedule(request(1), engine="cli", tj3_path=tj3, timeout=5, cache=cache)
    second = await schedule(request(2), engine="cli", tj3_path=tj3, timeout=5, cache=cache)
    assert isinstance(first, ScheduleCompleted) and isinstance(second, ScheduleCompleted)
    assert run_count(runs) == 1
    assert second.job_id == 2 and (second.tasks, second.projects) == (first.tasks, first.projects)
    assert "tj3" not in second.timings and "cached" in second.timings


async def test_a_changed_task_or_no_cache_runs_tj3_again(tmp_path: Path) -> None:
    tj3, runs = counting_tj3(tmp_path)
    cache = OutcomeCache()
    await schedule(request(1), engine="cli", tj3_path=tj3, timeout=5, cache=cache)
    await schedule(request(2, hours=11), engine="cli", tj3_path=tj3, timeout=5, cache=cache)
    await schedule(request(3), engine="cli", tj3_path=tj3, timeout=5)
    assert run_count(runs) == 3


async def test_failures_are_not_cached(tmp_path: Path) -> None:
    script = tmp_path / "tj3"
    script.write_text(f'#!/bin/sh\necho run >> "{tmp_path / "runs"}"\necho "Error: no" >&2\nexit 1\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    cache = OutcomeCache()
    for job_id in (1, 2):
        await schedule(request(job_id), engine="cli", tj3_path=str(script), timeout=5, cache=cache)
    assert run_count(tmp_path / "runs") == 2


def test_the_cache_keeps_the_most_recently_used() -> None:
    cache = OutcomeCache(size=2)
    outcomes = {
        name: ScheduleCompleted(job_id=n, tasks=(), projects=()) for n, name in enumerate("abc", start=1)
    }
    cache.put(tjp_key("a"), outcomes["a"])
    cache.put(tjp_key("b"), outcomes["b"])
    assert cache.get(tjp_key("a")) is outcomes["a"]
    cache.put(tjp_key("c"), outcomes["c"])
    assert cache.get(tjp_key("b")) is None and cache.get(tjp_key("a")) is outcomes["a"]
    assert OutcomeCache(size=0).get(tjp_key("a")) is None


async def test_yjit_is_asked_of_tj3s_ruby_only_when_enabled(tmp_path: Path) -> None:
    script = tmp_path / "tj3"
    script.write_text('#!/bin/sh\necho "$RUBYOPT" >&2\necho \'"Id";"Start";"End"\' > "$4/breakdown.csv"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with_jit = await run_tj3("project", tj3_path=str(script), timeout=5, yjit=True)
    without = await run_tj3("project", tj3_path=str(script), timeout=5)
    assert "--enable=yjit" in with_jit.stderr and "yjit" not in without.stderr
