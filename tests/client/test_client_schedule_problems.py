"""Explained failures end to end: an artist booked on two tasks that cannot both fit the studio's dates;
the real tj3 fails the run, and the job (API, client, CLI) names the task and the artist, says it is
overbooked and what to change, instead of tj3's raw text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from stalker_client import ScheduleJob, SchedulingFailed, Stalker

from support.cli import as_admin, stalker
from support.client_data import make_user
from support.system import require_tj3

pytestmark = [pytest.mark.tj3, pytest.mark.xdist_group("client_schedule_problems")]
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)


@dataclass
class Overbooked:
    studio_id: int
    project_id: int
    user_id: int
    user_name: str
    tasks: dict[str, int]


@pytest.fixture(scope="module")
def system(module_system: str) -> str:
    """A system of this module's own: its studio is short on purpose."""
    return module_system


@pytest.fixture(scope="module")
def overbooked(admin: Stalker) -> Iterator[Overbooked]:
    """Twenty days of studio, and one artist on two tasks of 15 working days each."""
    require_tj3()
    studio = admin.studios.create(name="Short Studio", start=MONDAY, now=MONDAY, duration=20, time_zone="UTC")
    user_id = make_user(admin, "busy")[1]
    project = admin.projects.create(name="Overbooked", code="OVB")
    shot = admin.shots.create(code="SH001", project_id=project.id)
    tasks = {
        name: admin.tasks.create(
            name=name, parent_id=shot.id, resource_ids=[user_id], schedule_timing=15, schedule_unit="d"
        ).id
        for name in ("Animation", "Lighting")
    }
    yield Overbooked(studio.id, project.id, user_id, "User busy", tasks)


@pytest.fixture(scope="module")
def failed_job(admin: Stalker, overbooked: Overbooked) -> ScheduleJob:
    job = admin.studios.schedule(overbooked.studio_id, project_ids=[overbooked.project_id])
    with pytest.raises(SchedulingFailed) as failed:
        admin.jobs.wait(job.id, timeout=120)
    assert failed.value.job.status == "failed"
    return failed.value.job  # type: ignore[no-any-return]


def test_the_job_names_the_overbooked_task_and_artist(
    failed_job: ScheduleJob, overbooked: Overbooked
) -> None:
    problems = failed_job.problems or []
    (problem,) = [p for p in problems if p.severity == "warning"]
    late, other = ("Lighting", "Animation") if problem.task_name == "Lighting" else ("Animation", "Lighting")
    assert (problem.kind, problem.task_id, problem.resource_id, problem.resource_name) == (
        "overbooked",
        overbooked.tasks[late],
        overbooked.user_id,
        overbooked.user_name,
    )
    assert problem.explanation == (
        f"{late} (SH001) needs User busy for 15 days of work from 2026-03-02, but User busy is also booked "
        f"on {other} (SH001) for 135 h of the same time, so 15 days of it do not fit before the studio's end "
        f"2026-03-22: give {late} (SH001) another resource, give the other task to someone else or extend "
        "the studio's end"
    )
    assert problem.summary == problem.explanation
    assert problem["task_name"] == late  # read as the dictionaries problems used to be
    assert "does not fit into the project time frame" in problem.message  # tj3's own text, kept
    (error,) = [p for p in problems if p.severity == "error"]
    assert (error.kind, error.task_id) == ("overbooked", overbooked.tasks[late])
    assert f"tj3 stopped: {late} (SH001) did not fit in the studio's dates" in (error.explanation or "")


def test_the_api_returns_kind_and_explanation(
    system: str, admin: Stalker, failed_job: ScheduleJob, overbooked: Overbooked
) -> None:
    response = httpx.get(
        f"{system}/catalog/v1/schedule-jobs/{failed_job.id}",
        headers={"Authorization": f"Bearer {admin.token}"},
        timeout=30,
    )
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert [(p["severity"], p["kind"], p["resource_id"]) for p in problems] == [
        ("warning", "overbooked", overbooked.user_id),
        ("error", "overbooked", None),
    ]
    assert all(p["explanation"] and p["message"] and p["task_name"] for p in problems)


def test_the_cli_prints_a_table_of_problems_instead_of_tj3s_text(
    system: str, failed_job: ScheduleJob, overbooked: Overbooked
) -> None:
    env = as_admin(system)
    done = stalker("schedule", str(overbooked.studio_id), "-p", str(overbooked.project_id), "--wait", env=env)

    assert done.exit_code == 1
    header = next(line for line in done.stderr.splitlines() if "explanation" in line)
    assert [word for word in header.split() if word.isalpha()] == [
        "severity",
        "task",
        "resource",
        "kind",
        "explanation",
    ]
    assert "overbooked" in done.stderr and "User busy" in done.stderr
    assert f"(#{overbooked.user_id})" in done.stderr
    assert "extend the studio's end" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: Scheduling failed: job ") and "did not fit in the studio's dates" in last
    assert "Project_" not in done.stderr and "User_" not in done.stderr  # no tj3 ids, no raw text

    shown = stalker("show", "jobs", str(failed_job.id), env=env)
    assert shown.exit_code == 0
    assert "Problems" in shown.stdout and "explanation" in shown.stdout and "overbooked" in shown.stdout
    assert "Project_" not in shown.stdout  # the raw text stays out of the fields table too

    as_json = stalker("show", "jobs", str(failed_job.id), "--json", env=env)
    problems = json.loads(as_json.stdout)["problems"]
    assert {p["kind"] for p in problems} == {"overbooked"}
    assert any("Project_" in p["message"] for p in problems)  # --json keeps tj3's text
