"""The Stalker API tutorial, Parts I to VI, against a running Stalker Services system.

    make run                          # in another terminal
    python examples/tutorial.py      # or: --url http://host:8080 --login admin --password admin

The base URL and login come from the arguments, else from STALKER_URL, STALKER_LOGIN and STALKER_PASSWORD
(defaults: http://127.0.0.1:8080, admin, admin). It can be run again and again: the studio, the user and the
department are found by name or created, and the project FC with its repository, structure and template is
deleted and made anew, so ids change from run to run but paths, dates and numbers do not. The studio's clock
is pinned to 2014-04-02 16:00 UTC (working hours Monday to Friday 09:00-18:00) so tj3 gives the same dates
every time.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import Any

from stalker_client import Project, Stalker, StalkerError, Task, User, Version

NOW = datetime(2014, 4, 2, 16, 0, tzinfo=UTC)
STUDIO_START = datetime(2014, 4, 2, tzinfo=UTC)
NINE_TO_SIX = [[9 * 60, 18 * 60]]  # minutes from midnight
WORKING_HOURS = {**{day: NINE_TO_SIX for day in ("mon", "tue", "wed", "thu", "fri")}, "sat": [], "sun": []}
TEMPLATE_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
DESCRIPTION = """The commercial is about this fancy product. The
client want us to have a shiny look with their
product bla bla bla..."""
TEMPLATE_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
EFFORTS = {
    "Previs": (10, "d"),
    "Matchmove": (2, "d"),
    "Animation": (5, "d"),
    "Lighting": (3, "d"),
    "comp": (6, "h"),
}


def title(text: str) -> None:
    print(f"\n== {text} ==")


def when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"


def part_i(client: Stalker) -> User:
    title("Part I - Basics")
    studio = client.studios.by_name("My Great Studio")
    pinned: dict[str, Any] = dict(
        now=NOW, start=STUDIO_START, duration=365, working_hours=WORKING_HOURS, time_zone="UTC"
    )
    if studio is None:
        studio = client.studios.create(name="My Great Studio", **pinned)
    else:
        studio = client.studios.update(studio.id, **pinned)
    print(studio, "now", when(studio.now), "duration", studio.duration, "days")
    me = client.users.by_login("eoyilmaz") or client.users.create(
        name="Erkan Ozgur Yilmaz",
        login="eoyilmaz",
        email="some_email_address@gmail.com",
        password="secret",
        description="This is me",
    )
    tds = client.departments.by_name("TDs") or client.departments.create(
        name="TDs", description="This is the TDs department"
    )
    if me.id not in tds.user_ids:
        tds = client.departments.add_member(tds.id, me.id)  # tds_department.users.append(me)
    print("me.departments:", [str(d) for d in client.users.departments(me.id)])
    all_departments = client.departments.all()  # admins, made by init, comes first
    print("all_departments:", "[" + ", ".join(str(d) for d in all_departments) + "]")
    print("tds.users[0]:", client.departments.members(tds.id)[0])
    return me


def remove_previous_run(client: Stalker) -> None:
    """The project FC and its storage from an earlier run: versions, storage, project, then the rest."""
    old = client.projects.by_code("FC")
    if old is not None:
        for task in client.tasks.iterate(project_id=old.id):
            for version in client.versions.list(task.id, limit=1000):
                client.versions.delete(version.id)
        client.storage.set(old.id, repository_ids=[], structure_id=None)
        client.projects.delete(old.id)  # and its tasks
    for resource, name in (
        (client.repositories, "Commercial Repository"),
        (client.structures, "Commercial Projects Structure"),
        (client.filename_templates, "Task Template for Commercials"),
    ):
        for item in resource.list(name=name):
            resource.delete(item.id)


def part_ii_a_project(client: Stalker, me: User) -> Project:
    title("Part II/A - Creating Simple Data")
    remove_previous_run(client)
    statuses = [client.statuses.by_code(code) for code in ("NEW", "WIP", "CMPL")]  # made by init
    project_statuses = client.status_lists.first(
        name="Project Status List", target_entity_type="Project"
    ) or client.status_lists.create(
        name="Project Status List",
        target_entity_type="Project",
        status_ids=[s.id for s in statuses if s is not None],
    )
    commercial_repo = client.repositories.create(name="Commercial Repository")
    hd = client.image_formats.first(name="HD 1080") or client.image_formats.create(
        name="HD 1080", width=1920, height=1080
    )
    new_project = client.projects.create(
        name="Fancy Commercial",
        code="FC",
        status_list_id=project_statuses.id,
        description=DESCRIPTION,
        image_format_id=hd.id,
        fps=25,
        end=datetime(2014, 5, 15, tzinfo=UTC),
        user_ids=[me.id],
    )
    client.storage.set(new_project.id, repository_ids=[commercial_repo.id])  # repositories=[commercial_repo]
    print(new_project, f"code={new_project.code} status={new_project.status} fps={new_project.fps:g}")
    print("status list:", project_statuses.name, project_statuses.status_codes)
    print("image format:", hd.name, f"{hd.width}x{hd.height}", "| end:", when(new_project.end))
    print("users:", [u.login for u in client.projects.users(new_project.id)])
    return new_project


def part_ii_a_shots(client: Stalker, project: Project) -> Task:
    """A sequence and three shots in it; returns SH001."""
    seq1 = client.sequences.create(name="Sequence 1", code="SEQ1", project_id=project.id)
    client.shots.create(code="SH001", name="SH001", project_id=project.id, sequence_ids=[seq1.id])
    client.shots.create(code="SH002", project_id=project.id, sequence_ids=[seq1.id])
    client.shots.create(code="SH003", project_id=project.id, sequence_ids=[seq1.id])
    shots = client.shots.list(project_id=project.id, sort="code")
    for shot in shots:
        sequences = [s.name for s in client.shots.sequences(shot.id)]
        print(shot, "code", shot.code, "in", sequences)
    return shots[0]


def part_ii_b(client: Stalker, project: Project) -> None:
    title("Part II/B - Querying, Updating and Deleting Data")
    seq1 = client.sequences.first(project_id=project.id, code="SEQ1")
    assert seq1 is not None
    sh004 = client.shots.create(code="SH004", project_id=project.id, sequence_ids=[seq1.id])
    sh004 = client.shots.update(sh004.id, code="SH005")
    print("sh004.code =", sh004.code)
    wrong_shot = client.shots.first(project_id=project.id, code="SH005")
    assert wrong_shot is not None
    wrong_shot = client.shots.update(wrong_shot.id, code="SH004")
    print("wrong_shot.code =", wrong_shot.code)
    client.shots.delete(wrong_shot.id)
    print("Shot with code SH005:", client.shots.first(project_id=project.id, code="SH005"))
    print("Shot with code SH004:", client.shots.first(project_id=project.id, code="SH004"))


def part_iii(client: Stalker, sh001: Task) -> dict[str, Task]:
    title("Part III - Pipeline")
    tasks = {name: client.tasks.create(name=name, parent_id=sh001.id) for name in EFFORTS}
    for name, on in (
        ("comp", ["Lighting"]),
        ("Lighting", ["Animation"]),
        ("Animation", ["Previs", "Matchmove"]),
    ):
        client.tasks.set_dependencies(
            tasks[name].id, [tasks[other].id for other in on]
        )  # comp.depends = [..]
    names = {task.id: name for name, task in tasks.items()}
    for task in client.tasks.children(sh001.id):
        print(f"{task.name:<10} depends on {[names[i] for i in task.depends_on_ids]}  status {task.status}")
    return tasks


def part_iv(client: Stalker, tasks: dict[str, Task], me: User) -> None:
    title("Part IV - Task & Resource Management")
    for name, (timing, unit) in EFFORTS.items():
        task = client.tasks.update(
            tasks[name].id, resource_ids=[me.id], schedule_timing=timing, schedule_unit=unit
        )
        resources = [u.login for u in client.tasks.resources(task.id)]
        print(f"{name:<10} {task.schedule_timing:g} {task.schedule_unit} {task.schedule_model}  {resources}")


def part_v(client: Stalker, project: Project, tasks: dict[str, Task], me: User) -> None:
    title("Part V - Scheduling")
    studio = client.studios.by_name("My Great Studio")
    assert studio is not None

    def progress(job: Any) -> None:
        print(f"  schedule job {job.id}: {job.status}", file=sys.stderr)

    job = client.studios.schedule(studio.id, project_ids=[project.id])
    job = client.jobs.wait(job.id, timeout=300, progress=progress)
    print("schedule:", job.status, "|", job.tasks_scheduled, "tasks")
    for name, task in tasks.items():
        done = client.tasks.get(task.id)
        print(
            f"{name:<10} computed_start {when(done.computed_start)}  computed_end {when(done.computed_end)}"
        )
    print("\nmy_studio.to_tjp:")
    print(client.studios.to_tjp(studio.id))
    print("me.to_tjp:")
    print(client.users.to_tjp(me.id, studio_id=studio.id))
    print("comp.to_tjp:")
    print(client.tasks.to_tjp(tasks["comp"].id, studio_id=studio.id))
    print("new_project.to_tjp:")
    print(client.projects.to_tjp(project.id, studio_id=studio.id))


def print_version(name: str, version: Version) -> None:
    print(f"{name}.path               = {version.path}")
    print(f"{name}.filename           = {version.filename}")
    print(f"{name}.full_path          = {version.full_path}")
    print(f"{name}.absolute_path      = {version.absolute_path}  ({version.os})")
    print(f"{name}.absolute_full_path = {version.absolute_full_path}")
    print(f"{name}.version_number     = {version.version_number}")


def part_vi_repository(client: Stalker, project: Project) -> int:
    """The repository's roots, the structure with its filename template; returns the structure's id."""
    title("Part VI - Asset Management")
    commercial_repo = client.repositories.first(name="Commercial Repository")
    assert commercial_repo is not None
    commercial_repo = client.repositories.update(
        commercial_repo.id,
        linux_path="/mnt/M/commercials",
        osx_path="/Volumes/M/commercials",
        windows_path="M:\\commercials",  # reverse slashes are fine: stored with forward ones
    )
    for os_name in ("linux", "macos", "windows"):
        print(f"commercial_repo.path on {os_name:<7} = {commercial_repo.path_for(os_name)}")
    here = client.repositories.path_of(commercial_repo.id)  # for this computer's OS
    print(f"commercial_repo.path here ({client.versions.os}) = {here}")
    task_template = client.filename_templates.create(
        name="Task Template for Commercials",
        target_entity_type="Task",
        path=TEMPLATE_PATH,
        filename=TEMPLATE_FILENAME,
    )
    structure = client.structures.create(
        name="Commercial Projects Structure", template_ids=[task_template.id]
    )
    client.storage.set(project.id, repository_ids=[commercial_repo.id], structure_id=structure.id)
    return structure.id


def part_vi_versions(client: Stalker, project: Project, comp: Task, structure_id: int) -> None:
    vers1 = client.versions.create(comp.id)  # numbered by the server, paths from the template
    print_version("vers1", vers1)
    for os_name in ("linux", "macos", "windows"):
        there = client.versions.get(vers1.id, os=os_name)
        print(f"vers1.absolute_full_path on {os_name:<7} = {there.absolute_full_path}")
    vers1 = client.versions.update(vers1.id, is_published=False)  # I still work on this version
    print("vers1.is_published =", vers1.is_published)
    vers2 = client.versions.create(comp.id)
    print("vers2.version_number =", vers2.version_number, "| vers2.filename =", vers2.filename)
    vers3 = client.versions.create(comp.id)
    print("vers3.version_number =", vers3.version_number, "| vers3.filename =", vers3.filename)
    names = [
        f"<{project.code}_{v.nice_name}_v{v.version_number:03d} (Version)>"
        for v in client.versions.list(comp.id)
    ]
    print("comp.versions = [" + ", ".join(names) + "]")
    client.structures.update(
        structure_id, custom_template="\nTemp\nReferences\nReferences/Movies\nReferences/Images\n"
    )
    listing = client.storage.directories(project.id)
    print(f"default directories ({listing.os}):", *listing.directories, sep="\n  ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get("STALKER_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--login", default=os.environ.get("STALKER_LOGIN", "admin"))
    parser.add_argument("--password", default=os.environ.get("STALKER_PASSWORD", "admin"))
    args = parser.parse_args(argv)
    try:
        with Stalker.connect(args.url, args.login, args.password) as client:
            me = part_i(client)
            project = part_ii_a_project(client, me)
            sh001 = part_ii_a_shots(client, project)
            part_ii_b(client, project)
            tasks = part_iii(client, sh001)
            part_iv(client, tasks, me)
            part_v(client, project, tasks, me)
            structure_id = part_vi_repository(client, project)
            part_vi_versions(client, project, tasks["comp"], structure_id)
    except StalkerError as error:
        print(f"\nThe tutorial stopped: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
