"""Part V through the client: schedule the studio, follow the job, read tj3's dates; to_tjp; a failed run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from stalker_client import ScheduleJob, SchedulingFailed, Stalker, WaitTimeout

from support.client_data import make_user, tutorial_studio
from support.system import require_tj3

# On one pytest-xdist worker: the module starts a system of its own (below), once.
pytestmark = [pytest.mark.tj3, pytest.mark.xdist_group("client_scheduling")]
EFFORTS = {
    "Previs": (10, "d"),
    "Matchmove": (2, "d"),
    "Animation": (5, "d"),
    "Lighting": (3, "d"),
    "comp": (6, "h"),
}
# Reference section 4.3: Stalker 1.1.2.1 with tj3, studio now 2014-04-02 16:00 UTC, Monday-Friday 09-18.
REFERENCE = {
    "Previs": ("2014-04-02 16:00", "2014-04-16 16:00"),
    "Matchmove": ("2014-04-16 16:00", "2014-04-18 16:00"),
    "Animation": ("2014-04-18 16:00", "2014-04-25 16:00"),
    "Lighting": ("2014-04-25 16:00", "2014-04-30 16:00"),
    "comp": ("2014-04-30 16:00", "2014-05-01 13:00"),
}


@dataclass
class Tutorial:
    studio_id: int
    project_id: int
    user_id: int
    tasks: dict[str, int]


@pytest.fixture(scope="module")
def system(module_system: str) -> str:
    """This module's own system, not the session's: its data has fixed names (projects FC and TOOLONG)
    that test_cli_work makes on the shared one."""
    return module_system


@pytest.fixture(scope="module")
def tutorial(admin: Stalker) -> Iterator[Tutorial]:
    """The tutorial's shot SH001 with its five tasks, all done by one user, in the pinned studio."""
    require_tj3()
    studio_id = tutorial_studio(admin)
    user_id = make_user(admin, "sched")[1]
    project = admin.projects.create(name="Fancy Commercial", code="FC")
    sh001 = admin.shots.create(code="SH001", project_id=project.id)
    tasks = {}
    for name, (timing, unit) in EFFORTS.items():
        task = admin.tasks.create(
            name=name, parent_id=sh001.id, resource_ids=[user_id], schedule_timing=timing, schedule_unit=unit
        )
        tasks[name] = task.id
    for name, on in (
        ("comp", ["Lighting"]),
        ("Lighting", ["Animation"]),
        ("Animation", ["Previs", "Matchmove"]),
    ):
        admin.tasks.set_dependencies(tasks[name], [tasks[o] for o in on])
    yield Tutorial(studio_id, project.id, user_id, tasks)


def test_part_v_the_job_is_followed_until_tj3_gives_the_reference_dates(
    admin: Stalker, tutorial: Tutorial
) -> None:
    job = admin.studios.schedule(tutorial.studio_id, project_ids=[tutorial.project_id])
    assert job.status in ("queued", "running") and job.project_ids == [tutorial.project_id]
    seen: list[ScheduleJob] = []
    done = admin.jobs.wait(job.id, timeout=120, progress=seen.append)
    assert done.status == "completed" and done.tasks_scheduled == 6
    assert seen and seen[-1].status == "completed" and all(s.id == job.id for s in seen)
    dates = {}
    for name, task_id in tutorial.tasks.items():
        task = admin.tasks.get(task_id)
        dates[name] = tuple(
            d.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
            for d in (task.computed_start, task.computed_end)
            if d
        )
    assert dates == REFERENCE
    assert admin.jobs.first(studio_id=tutorial.studio_id, status="completed") is not None
    studio = admin.studios.get(tutorial.studio_id)
    assert studio.last_scheduled_at is not None and not studio.is_scheduling


def test_to_tjp_of_the_studio_the_user_the_task_and_the_project(admin: Stalker, tutorial: Tutorial) -> None:
    studio = admin.studios.to_tjp(tutorial.studio_id)
    assert studio.startswith(f'project Studio_{tutorial.studio_id} "My Great Studio" 2014-04-02')
    assert "now 2014-04-02-16:00" in studio and "workinghours mon 09:00 - 18:00" in studio
    assert "workinghours sat off" in studio
    user = admin.users.to_tjp(tutorial.user_id)
    assert user.splitlines()[0] == f'resource User_{tutorial.user_id} "User sched" {{'
    comp = admin.tasks.to_tjp(tutorial.tasks["comp"])
    assert f'task Task_{tutorial.tasks["comp"]} "comp" {{' in comp
    assert "effort 6.0h" in comp and f"allocate User_{tutorial.user_id}" in comp
    project = admin.to_tjp("project", tutorial.project_id)
    assert project.startswith(f'task Project_{tutorial.project_id} "Fancy Commercial" {{')
    assert project.count("effort ") == 5 and "effort 10.0d" in project


def test_a_run_that_cannot_fit_fails_with_tj3s_problems(admin: Stalker, tutorial: Tutorial) -> None:
    project = admin.projects.create(name="Far too long", code="TOOLONG")
    admin.tasks.create(
        name="forever",
        project_id=project.id,
        resource_ids=[tutorial.user_id],
        schedule_timing=1000,
        schedule_unit="d",
    )
    job = admin.studios.schedule(tutorial.studio_id, project_ids=[project.id])
    with pytest.raises(SchedulingFailed) as failed:
        admin.jobs.wait(job.id, timeout=120)
    assert failed.value.job.status == "failed" and "did not fit" in failed.value.detail
    assert any(p["task_name"] == "forever" for p in failed.value.job.problems)
    quietly = admin.jobs.wait(job.id, timeout=5, raise_on_failure=False)
    assert quietly.status == "failed"


def test_waiting_too_long_is_a_timeout_that_leaves_the_job_alone(
    admin: Stalker, tutorial: Tutorial, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = admin.studios.schedule(tutorial.studio_id, project_ids=[tutorial.project_id])
    running = job.model_copy(update={"status": "running"})
    monkeypatch.setattr(admin.jobs, "get", lambda _: running)  # as if tj3 were still busy
    with pytest.raises(WaitTimeout) as late:
        admin.jobs.wait(job.id, timeout=0.3, poll_interval=0.05)
    assert late.value.job.status == "running"
    monkeypatch.undo()
    assert admin.jobs.wait(job.id, timeout=120).status == "completed"


def test_to_seconds_uses_the_studio_calendar(admin: Stalker, tutorial: Tutorial) -> None:
    assert admin.studios.to_seconds(tutorial.studio_id, 10, "d") == 10 * 9 * 3600
    assert admin.studios.get(tutorial.studio_id).now == datetime(2014, 4, 2, 16, tzinfo=UTC)
