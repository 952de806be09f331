"""Schedule a differential show (bench/show.py `describe_differential`) with the reference, Stalker 1.1.2.1.

Runs under the reference's own virtual environment (bench/reference/venv.py) and imports nothing from this
repository. The objects are created one flush at a time in the show's order, with the id sequence restarted
at 100000: Stalker writes siblings in the text order of their ids, which is their creation order only while
every id has the same number of digits, and our system writes them in creation order.

Usage: <ref-venv>/bin/python bench/reference/differential_driver.py SHOW.json DATABASE_URL OUT.json [--tjp F]
DATABASE_URL is an empty scratch database, `postgresql+psycopg2://...`. OUT.json gets every task's computed
start and end by the show's key, every project's by its code (UTC ISO), and tj3's message; with --tjp the
file tj3 read is written there too (also when tj3 fails). tj3's progress goes to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import stalker
from sqlalchemy import text
from stalker import Project, Sequence, Shot, Studio, Task, User, Vacation
from stalker.db import setup as db_setup
from stalker.db.session import DBSession
from stalker.models.schedulers import TaskJugglerScheduler

UTC = dt.UTC
FIRST_ID = 100000


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def added(entity: Any) -> Any:
    """The entity in the session and flushed, so that it takes the next id."""
    DBSession.add(entity)
    DBSession.flush()
    return entity


def restart_ids() -> None:
    """Every entity created from now on gets a six-digit id (init() has used the first few dozen)."""
    sequence = (
        DBSession.connection()
        .execute(text("select pg_get_serial_sequence('\"SimpleEntities\"', 'id')"))
        .scalar_one()
    )
    DBSession.connection().execute(text(f"alter sequence {sequence} restart with {FIRST_ID}"))
    DBSession.commit()


def create_show(show: dict[str, Any]) -> tuple[Studio, dict[str, Task], dict[str, Project]]:
    calendar = show["studio"]
    studio = added(
        Studio(
            name="Differential Studio",
            now=when(calendar["now"]),
            start=when(calendar["start"]),
            end=when(calendar["end"]),
        )
    )
    users = {}
    for user in show["users"]:
        login = user["login"]
        users[login] = added(
            User(
                name=login,
                login=login,
                email=f"{login}@differential.example",
                password="differential",
                efficiency=user["efficiency"],
            )
        )
    for vacation in show["vacations"]:
        owner = users[vacation["user"]] if vacation["user"] else None
        added(Vacation(user=owner, start=when(vacation["start"]), end=when(vacation["end"])))
    projects = {p["code"]: added(Project(name=p["name"], code=p["code"])) for p in show["projects"]}
    tasks: dict[str, Task] = {}
    for item in show["tasks"]:
        tasks[item["key"]] = added(new_task(item, projects, tasks, users))
    DBSession.commit()
    return studio, tasks, projects


def new_task(
    item: dict[str, Any], projects: dict[str, Project], tasks: dict[str, Task], users: dict[str, User]
) -> Task:
    parent = tasks[item["parent"]] if item["parent"] else None
    place: dict[str, Any] = {"project": projects[item["project"]]}
    if parent is not None:
        place["parent"] = parent
    fields: dict[str, Any] = {"priority": item["priority"]}
    if "schedule_timing" in item:
        fields |= {
            "schedule_timing": item["schedule_timing"],
            "schedule_unit": item["schedule_unit"],
            "schedule_model": item["schedule_model"],
            "resources": [users[login] for login in item["resources"]],
            "alternative_resources": [users[login] for login in item["alternatives"]],
            "allocation_strategy": item["allocation_strategy"],
            "persistent_allocation": item["persistent_allocation"],
        }
    fields["depends_on"] = [tasks[link["on"]] for link in item["depends"]]
    if item["kind"] == "sequence":
        task: Task = Sequence(name=item["name"], code=item["name"], **place, **fields)
    elif item["kind"] == "shot":
        sequence = parent if isinstance(parent, Sequence) else None
        task = Shot(code=item["name"], sequence=sequence, **place, **fields)
    else:
        task = Task(name=item["name"], **place, **fields)
    targets = {tasks[link["on"]].id: link["target"] for link in item["depends"]}
    for dependency in task.task_depends_on:
        dependency.dependency_target = targets[dependency.depends_on.id]
    return task


def schedule(studio: Studio, tjp_file: Path | None) -> str:
    """Studio.schedule() with TaskJugglerScheduler (compute_resources off), committed; tj3's message."""
    scheduler = TaskJugglerScheduler(compute_resources=False)
    render = scheduler._create_tjp_file_content

    def render_and_keep() -> None:
        render()
        if tjp_file is not None:
            tjp_file.write_text(scheduler.tjp_content, encoding="utf-8")

    scheduler._create_tjp_file_content = render_and_keep
    studio.scheduler = scheduler
    message = studio.schedule()
    DBSession.commit()
    return message or ""


def dates(entity: Any) -> list[str | None]:
    return [
        value.astimezone(UTC).isoformat() if value is not None else None
        for value in (entity.computed_start, entity.computed_end)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("show")
    parser.add_argument("database_url")
    parser.add_argument("out")
    parser.add_argument("--tjp", type=Path, help="write the .tjp tj3 read here")
    args = parser.parse_args()
    show = json.loads(Path(args.show).read_text())
    stalker.defaults["tj_command"] = "/usr/bin/tj3"
    db_setup.setup({"sqlalchemy.url": args.database_url, "sqlalchemy.echo": False})
    db_setup.init()
    restart_ids()
    studio, tasks, projects = create_show(show)
    message = schedule(studio, args.tjp)
    result = {
        "stalker": stalker.__version__,
        "message": message,
        "ids": {key: task.id for key, task in tasks.items()} | {c: p.id for c, p in projects.items()},
        "tasks": {key: dates(task) for key, task in tasks.items()},
        "projects": {code: dates(project) for code, project in projects.items()},
    }
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
