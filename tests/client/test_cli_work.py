"""Everyday commands: schedule with --wait, a task's dates, TJP text, a new version's paths, and a
project's default folders on disk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stalker_client import Stalker, current_os

from support.cli import as_admin, stalker
from support.client_data import make_user, tutorial_studio
from support.system import require_tj3

# On the shared system, so in its xdist group (conftest): on one worker, in a row, so that the
# module-scoped `shot` (project FC) is made once on that system.

TEMPLATE_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/{% for p in parent_tasks %}{{p.nice_name}}/{% endfor %}"
)
TEMPLATE_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
ROOTS = {"linux": "/mnt/M/commercials", "macos": "/Volumes/M/commercials", "windows": "M:/commercials"}


@dataclass
class Shot:
    studio_id: int
    project_id: int
    shot_id: int
    previs_id: int
    comp_id: int
    user_id: int


@pytest.fixture(scope="module")
def shot(admin: Stalker) -> Iterator[Shot]:
    """SH001 of project FC with Previs (10 d) then comp (6 h), stored in a repository with folders."""
    studio_id = tutorial_studio(admin)
    user_id = make_user(admin, "work")[1]
    project = admin.projects.create(name="Fancy Commercial", code="FC")
    sh001 = admin.shots.create(code="SH001", project_id=project.id)
    previs = admin.tasks.create(
        name="Previs", parent_id=sh001.id, resource_ids=[user_id], schedule_timing=10, schedule_unit="d"
    )
    comp = admin.tasks.create(
        name="comp",
        parent_id=sh001.id,
        resource_ids=[user_id],
        schedule_timing=6,
        schedule_unit="h",
        depends=[previs.id],
    )
    repository = admin.repositories.create(name="Commercial", **{f"{os}_path": r for os, r in ROOTS.items()})
    template = admin.filename_templates.create(
        name="Task", target_entity_type="Task", path=TEMPLATE_PATH, filename=TEMPLATE_FILENAME
    )
    structure = admin.structures.create(
        name="Commercial", template_ids=[template.id], custom_template="Temp\nReferences/Movies"
    )
    admin.storage.set(project.id, repository_ids=[repository.id], structure_id=structure.id)
    yield Shot(studio_id, project.id, sh001.id, previs.id, comp.id, user_id)


def test_schedule_and_wait_follows_the_job_to_the_end(system: str, shot: Shot, tmp_config: Path) -> None:
    require_tj3()
    done = stalker(
        "schedule", str(shot.studio_id), "--project", str(shot.project_id), "--wait", env=as_admin(system)
    )
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Schedule job ") and lines[-1].endswith(": completed, 3 tasks scheduled")
    dates = stalker("task", "dates", str(shot.shot_id), "--children", env=as_admin(system))
    assert dates.exit_code == 0, dates.output
    rows = {line.split("│")[2].strip(): line for line in dates.stdout.splitlines() if line.count("│") > 4}
    assert "2014-04-02 16:00" in rows["Previs"] and "2014-04-16 16:00" in rows["Previs"]
    assert "2014-04-16 16:00" in rows["comp"] and "2014-04-17 13:00" in rows["comp"]
    assert "2014-04-17 13:00" in rows["SH001"]


def test_schedule_without_waiting_returns_the_job_at_once(
    system: str, admin: Stalker, shot: Shot, tmp_config: Path
) -> None:
    require_tj3()
    done = stalker("schedule", str(shot.studio_id), "-p", str(shot.project_id), env=as_admin(system))
    assert done.exit_code == 0 and len(done.stdout.splitlines()) == 1
    job_id = done.stdout.split()[2].rstrip(":")
    shown = stalker("show", "jobs", job_id, env=as_admin(system))
    assert shown.exit_code == 0 and "studio_id" in shown.stdout
    # Let it end: on SQLite (no FOR UPDATE) a request racing with its result being applied answers 409.
    admin.jobs.wait(int(job_id), timeout=120)


def test_a_schedule_that_fails_is_an_error(system: str, admin: Stalker, shot: Shot, tmp_config: Path) -> None:
    require_tj3()
    project = admin.projects.create(name="Too long", code="TOOLONG")
    admin.tasks.create(
        name="forever",
        project_id=project.id,
        resource_ids=[shot.user_id],
        schedule_timing=900,
        schedule_unit="d",
    )
    done = stalker("schedule", str(shot.studio_id), "-p", str(project.id), "--wait", env=as_admin(system))
    assert done.exit_code == 1
    assert "Scheduling failed" in done.stderr and "did not fit" in done.stderr


def test_tjp_prints_the_text_as_it_is(system: str, shot: Shot, tmp_config: Path) -> None:
    studio = stalker("tjp", "studio", str(shot.studio_id), env=as_admin(system))
    assert studio.exit_code == 0 and studio.stdout.startswith(
        f'project Studio_{shot.studio_id} "My Great Studio"'
    )
    user = stalker("tjp", "user", str(shot.user_id), "--studio", str(shot.studio_id), env=as_admin(system))
    assert user.stdout == f'resource User_{shot.user_id} "User work" {{\n  efficiency 1.0\n}}\n'
    task = stalker("tjp", "task", str(shot.comp_id), env=as_admin(system))  # the only studio by default
    assert f'task Task_{shot.comp_id} "comp" {{' in task.stdout and "effort 6.0h" in task.stdout
    project = stalker("tjp", "project", str(shot.project_id), env=as_admin(system))
    assert project.stdout.startswith(f'task Project_{shot.project_id} "Fancy Commercial" {{')
    missing = stalker("tjp", "task", "99999", env=as_admin(system))
    assert missing.exit_code == 1 and "no task with id 99999" in missing.stderr
    wrong = stalker("tjp", "planet", "1", env=as_admin(system))
    assert wrong.exit_code == 2


def test_version_create_prints_its_paths_for_this_os(system: str, shot: Shot, tmp_config: Path) -> None:
    first = stalker("version", "create", str(shot.comp_id), env=as_admin(system))
    assert first.exit_code == 0, first.output
    fields = dict(line.split(":", 1) for line in first.stdout.splitlines())
    fields = {k: v.strip() for k, v in fields.items()}
    root = ROOTS[current_os()]
    assert fields["filename"] == "SH001_comp_Main_v001" and fields["version_number"] == "1"
    assert fields["path"].endswith("/FC/SH001/comp") and fields["path"].startswith("$REPO")
    assert fields["os"] == current_os()
    assert fields["absolute_full_path"] == f"{root}/FC/SH001/comp/SH001_comp_Main_v001"
    take = stalker(
        "version",
        "create",
        str(shot.comp_id),
        "--take",
        "Alt",
        "-e",
        "nk",
        "--os",
        "windows",
        env=as_admin(system),
    )
    assert "absolute_full_path: M:/commercials/FC/SH001/comp/SH001_comp_Alt_v001.nk" in take.stdout
    listed = stalker("list", "versions", "-f", f"task_id={shot.comp_id}", env=as_admin(system))
    assert "SH001_comp_Main_v001" in listed.stdout and "SH001_comp_Alt_v001.nk" in listed.stdout
    bad = stalker("version", "create", str(shot.comp_id), "--take", "no spaces", env=as_admin(system))
    assert bad.exit_code == 1 and "field: take_name" in bad.stderr


def test_project_mkdirs_makes_the_default_folders(
    system: str, shot: Shot, tmp_config: Path, tmp_path: Path
) -> None:
    dry = stalker("project", "mkdirs", str(shot.project_id), "--dry-run", env=as_admin(system))
    root = ROOTS[current_os()]
    assert dry.stdout.splitlines() == [f"{root}/FC", f"{root}/FC/Temp", f"{root}/FC/References/Movies"]
    done = stalker("project", "mkdirs", str(shot.project_id), "--root", str(tmp_path), env=as_admin(system))
    assert done.exit_code == 0, done.output
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "FC",
        "FC/References",
        "FC/References/Movies",
        "FC/Temp",
    ]
    again = stalker("project", "mkdirs", str(shot.project_id), "--root", str(tmp_path), env=as_admin(system))
    assert again.exit_code == 0  # existing folders are fine
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    refused = stalker("project", "mkdirs", str(shot.project_id), "--root", str(blocked), env=as_admin(system))
    assert refused.exit_code == 1 and "Error:" in refused.stderr and "Traceback" not in refused.output
