"""The speed levers give the same dates as a plain tj3 run: YJIT, answers from the outcome cache, and
computed resources read from tj3's booking export instead of the report's resources column."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stalker_scheduler.engine import run_tj3
from stalker_scheduler.service.cache import OutcomeCache
from stalker_scheduler.service.compute import schedule
from stalker_scheduler.tjp import parse_csv, render_tjp
from stalker_shared.contracts.scheduling import (
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleCompleted,
    ScheduleRequested,
    StudioSnapshot,
    TaskDependency,
    TaskSnapshot,
    TimeUnit,
)

pytestmark = pytest.mark.tj3
START = datetime(2025, 1, 6, tzinfo=UTC)
STEPS: tuple[tuple[str, float, TimeUnit], ...] = (
    ("layout", 2, "d"),
    ("animation", 1, "w"),
    ("lighting", 12, "h"),
    ("comp", 4, "h"),
)


@pytest.fixture(scope="module")
def tj3_path() -> str:
    path = shutil.which("tj3") or ("/usr/bin/tj3" if Path("/usr/bin/tj3").exists() else None)
    if path is None:
        reason = "tj3 is not installed (apt-get install tj3, or gem install taskjuggler)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def small_show(job_id: int, shots: int = 40) -> ScheduleRequested:
    """Shots with a layout -> animation -> lighting -> comp chain, four artists shared by all."""
    tasks = []
    for shot in range(shots):
        shot_id = 1000 + shot * 10
        tasks.append(TaskSnapshot(id=shot_id, project_id=1, name=f"SH{shot:03d}", kind="shot"))
        for step, (name, timing, unit) in enumerate(STEPS, start=1):
            depends = (TaskDependency(depends_on_id=shot_id + step - 1),) if step > 1 else ()
            tasks.append(
                TaskSnapshot(
                    id=shot_id + step,
                    project_id=1,
                    parent_id=shot_id,
                    name=name,
                    schedule_timing=timing,
                    schedule_unit=unit,
                    priority=500 + 100 * (shot % 3 == 0),
                    resources=(10 + (shot + step) % 4,),
                    alternative_resources=(10, 11, 12, 13),
                    dependencies=depends,
                )
            )
    return ScheduleRequested(
        job_id=job_id,
        studio=StudioSnapshot(id=1, name="S", now=START, start=START, end=START + timedelta(days=365)),
        resources=tuple(ResourceSnapshot(id=i, name=f"artist {i}", login=f"a{i}") for i in range(10, 14)),
        projects=(ProjectSnapshot(id=1, code="P", name="P"),),
        tasks=tuple(tasks),
        compute_resources=True,
    )


async def test_yjit_and_the_cache_give_the_plain_runs_dates(tj3_path: str) -> None:
    plain = await schedule(small_show(1), tj3_path=tj3_path, timeout=120)
    cache = OutcomeCache()
    jit = await schedule(small_show(2), tj3_path=tj3_path, timeout=120, yjit=True, cache=cache)
    cached = await schedule(small_show(3), tj3_path=tj3_path, timeout=120, yjit=True, cache=cache)
    assert isinstance(plain, ScheduleCompleted), plain
    assert isinstance(jit, ScheduleCompleted) and isinstance(cached, ScheduleCompleted)
    assert len(plain.tasks) == 40 * 5 and any(task.resource_ids for task in plain.tasks)
    for outcome in (jit, cached):
        assert (outcome.tasks, outcome.projects) == (plain.tasks, plain.projects)
    assert "tj3" in jit.timings and "tj3" not in cached.timings and cached.job_id == 3


async def test_the_booking_export_names_the_resources_the_report_column_names(tj3_path: str) -> None:
    request = small_show(1)
    column = await run_tj3(
        render_tjp(request, "breakdown", bookings_export=False), tj3_path=tj3_path, timeout=120
    )
    by_column, _ = parse_csv(column.csv_text, "UTC")
    exported = await schedule(request, tj3_path=tj3_path, timeout=120)
    assert isinstance(exported, ScheduleCompleted) and column.bookings_text is None
    assert {t.id: t.resource_ids for t in exported.tasks} == {
        t.id: t.resource_ids for t in by_column.values()
    }
    assert {t.id: (t.computed_start, t.computed_end) for t in exported.tasks} == {
        t.id: (t.computed_start, t.computed_end) for t in by_column.values()
    }
