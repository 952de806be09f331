"""A studio split into independent groups of projects (the catalog's split_request) gets from tj3 exactly
the dates of the same studio scheduled whole; and a group whose input did not change is answered from the
outcome cache while the changed one runs tj3 again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_sched_levers import STEPS, tj3_path  # noqa: F401  (the fixture)

from stalker_catalog.domain.schedule_groups import split_request
from stalker_scheduler.service.cache import OutcomeCache
from stalker_scheduler.service.compute import schedule
from stalker_shared.contracts.scheduling import (
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleCompleted,
    ScheduleRequested,
    StudioSnapshot,
    TaskDependency,
    TaskSnapshot,
)

pytestmark = pytest.mark.tj3
START = datetime(2025, 1, 6, tzinfo=UTC)
# project -> its team; projects 1 and 2 share artist 21, so they are one group: groups {1, 2}, {3}, {4}.
TEAMS = {1: (20, 21), 2: (21, 22), 3: (30, 31, 32), 4: (40,)}


def studio(job_id: int, shots: int = 12, longer_in: int | None = None) -> ScheduleRequested:
    """Shots of four projects, each step by one of its project's artists (alternatives: the team), some
    at a higher priority, so artists are contended within a group and groups compete for nothing."""
    tasks = []
    for project_id, team in TEAMS.items():
        for shot in range(shots):
            shot_id = project_id * 10_000 + shot * 10
            tasks.append(TaskSnapshot(id=shot_id, project_id=project_id, name=f"SH{shot:03d}", kind="shot"))
            for step, (name, timing, unit) in enumerate(STEPS, start=1):
                depends = (TaskDependency(depends_on_id=shot_id + step - 1),) if step > 1 else ()
                longer = project_id == longer_in and shot == 0 and step == 1
                tasks.append(
                    TaskSnapshot(
                        id=shot_id + step,
                        project_id=project_id,
                        parent_id=shot_id,
                        name=name,
                        schedule_timing=timing + 3 * longer,
                        schedule_unit=unit,
                        priority=500 + 100 * (shot % 3 == 0),
                        resources=(team[(shot + step) % len(team)],),
                        alternative_resources=team,
                        dependencies=depends,
                    )
                )
    artists = sorted({artist for team in TEAMS.values() for artist in team} | {99})  # 99: nobody's
    return ScheduleRequested(
        job_id=job_id,
        studio=StudioSnapshot(id=1, name="S", now=START, start=START, end=START + timedelta(days=365)),
        resources=tuple(ResourceSnapshot(id=i, name=f"artist {i}", login=f"a{i}") for i in artists),
        projects=tuple(ProjectSnapshot(id=p, code=f"P{p}", name=f"P{p}") for p in TEAMS),
        tasks=tuple(tasks),
        compute_resources=True,
    )


def dates(*outcomes: ScheduleCompleted | object) -> dict[int, tuple[datetime, datetime, tuple[int, ...]]]:
    found: dict[int, tuple[datetime, datetime, tuple[int, ...]]] = {}
    for outcome in outcomes:
        assert isinstance(outcome, ScheduleCompleted), outcome
        found |= {t.id: (t.computed_start, t.computed_end, t.resource_ids) for t in outcome.tasks}
        found |= {-p.id: (p.computed_start, p.computed_end, ()) for p in outcome.projects}
    return found


async def test_a_split_studio_gets_the_whole_studios_dates(tj3_path: str) -> None:  # noqa: F811
    whole = studio(1)
    parts = split_request(whole)
    assert [[p.id for p in part.projects] for part in parts] == [[1, 2], [3], [4]]
    assert [r.id for r in parts[0].resources] == [20, 21, 22]  # only the users its tasks name
    whole_outcome = await schedule(whole, tj3_path=tj3_path, timeout=120)
    part_outcomes = [await schedule(part, tj3_path=tj3_path, timeout=120) for part in parts]
    expected = dates(whole_outcome)
    assert len(expected) == len(whole.tasks) + len(whole.projects)
    assert any(resources for _, _, resources in expected.values())
    assert dates(*part_outcomes) == expected


async def test_only_the_changed_group_runs_tj3_again(tj3_path: str) -> None:  # noqa: F811
    cache = OutcomeCache()
    first = [await schedule(p, tj3_path=tj3_path, timeout=120, cache=cache) for p in split_request(studio(1))]
    changed = split_request(studio(2, longer_in=3))
    second = [await schedule(p, tj3_path=tj3_path, timeout=120, cache=cache) for p in changed]
    assert all("cached" not in outcome.timings for outcome in first)  # type: ignore[union-attr]
    cached = ["cached" in outcome.timings for outcome in second]  # type: ignore[union-attr]
    assert cached == [True, False, True]
    assert dates(second[0], second[2]) == dates(first[0], first[2])
    assert dates(second[1]) != dates(first[1])
