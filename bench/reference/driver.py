"""Drive the reference (Stalker 1.1.2.1) through its public API: create a described show, schedule it.

Runs under the reference's own virtual environment (see `bench/reference/venv.py`), never the repo's:
it imports nothing from this repository. The show comes as the JSON of `bench/show.py describe()`.

Usage: <ref-venv>/bin/python bench/reference/driver.py SHOW.json DATABASE_URL OUT.json [--compute-resources]
       [--progress PROGRESS.json]
With --progress (the JSON of `bench/half_done.py half_done()`), the show is half done before it is scheduled:
its time logs are created through the reference's own TimeLog (its checks included) and `now` moved.
DATABASE_URL is an empty scratch database, `postgresql+psycopg2://...` (SQLAlchemy 2's default PostgreSQL
driver is psycopg 3, which Stalker does not install). tj3's progress goes to stdout; results go to OUT.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

import stalker
from stalker import Department, Project, Sequence, Shot, Studio, Task, TimeLog, User, Vacation
from stalker.db import setup as db_setup
from stalker.db.session import DBSession
from stalker.models.schedulers import TaskJugglerScheduler

UTC = dt.UTC


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def create_show(show: dict[str, Any]) -> tuple[Studio, dict[str, Task]]:
    """The studio, users, departments, project, sequences, shots (children of their sequence) and tasks."""
    calendar = show["studio"]
    start = when(calendar["start"])
    studio = Studio(
        name="Bench Studio",
        now=when(calendar["now"]),
        start=start,
        end=start + dt.timedelta(days=calendar["days"]),
    )
    DBSession.add(studio)
    users: dict[str, User] = {}
    for department in show["departments"]:
        members = []
        for login in department["users"]:
            users[login] = User(name=login, login=login, email=f"{login}@bench.example", password="bench")
            members.append(users[login])
        DBSession.add(Department(name=department["name"], users=members))
    DBSession.add_all(users.values())
    for leave in show.get("vacations", ()):
        owner = users[leave["user"]] if leave["user"] else None
        DBSession.add(Vacation(user=owner, start=when(leave["start"]), end=when(leave["end"])))
    project = Project(name=show["project"]["name"], code=show["project"]["code"])
    DBSession.add(project)
    DBSession.flush()  # shots check their code's uniqueness with a query on the project's id
    tasks: dict[str, Task] = {}
    for sequence_data in show["sequences"]:
        sequence = Sequence(name=sequence_data["code"], code=sequence_data["code"], project=project)
        DBSession.add(sequence)
        for shot_data in sequence_data["shots"]:
            code = shot_data["code"]
            shot = Shot(code=code, project=project, sequence=sequence, parent=sequence)
            DBSession.add(shot)
            for item in shot_data["tasks"]:
                task = Task(
                    name=item["name"],
                    parent=shot,
                    resources=[users[item["user"]]],
                    schedule_timing=item["schedule_timing"],
                    schedule_unit=item["schedule_unit"],
                    schedule_model=item["schedule_model"],
                    priority=item["priority"],
                    depends_on=[tasks[f"{code}/{d}"] for d in item["depends"]],
                )
                DBSession.add(task)  # Task(parent=...) is not cascaded into the session any more
                tasks[f"{code}/{item['name']}"] = task
    DBSession.commit()
    return studio, tasks


def log_work(studio: Studio, tasks: dict[str, Task], progress: dict[str, Any]) -> None:
    """The time logs, task by task in the order they were worked; complete tasks set CMPL with their dates
    at their logs (as approval and a schedule leave them: a dependent's log is checked against them)."""
    users = {user.login: user for user in User.query.all()}
    logs: dict[str, list[dict[str, str]]] = {}
    for log in progress["logs"]:
        logs.setdefault(log["ref"], []).append(log)
    for ref, status in progress["status"].items():
        task = tasks[ref]
        task.status = task.status_list["WIP"]  # direct assignment: the workflow is not what is measured
        for log in logs[ref]:
            DBSession.add(
                TimeLog(
                    task=task, resource=users[log["user"]], start=when(log["start"]), end=when(log["end"])
                )
            )
        if status == "CMPL":
            task.start, task.end = when(logs[ref][0]["start"]), when(logs[ref][-1]["end"])
            task.status = task.status_list["CMPL"]
    studio.now = when(progress["now"])
    DBSession.commit()


def schedule(studio: Studio, compute_resources: bool) -> dict[str, float]:
    """Studio.schedule() with TaskJugglerScheduler, committed; seconds per step (tj3 = the rest)."""
    scheduler = TaskJugglerScheduler(compute_resources=compute_resources)
    timings: dict[str, float] = {"render": 0.0, "parse_and_apply": 0.0}

    def timed(name: str, method: Any) -> Any:
        def call() -> Any:
            started = time.perf_counter()
            try:
                return method()
            finally:
                timings[name] += time.perf_counter() - started

        return call

    scheduler._create_tjp_file_content = timed("render", scheduler._create_tjp_file_content)
    scheduler._parse_csv_file = timed("parse_and_apply", scheduler._parse_csv_file)
    studio.scheduler = scheduler
    started = time.perf_counter()
    studio.schedule()
    commit_started = time.perf_counter()
    DBSession.commit()
    ended = time.perf_counter()
    timings["commit"] = ended - commit_started
    timings["total"] = ended - started
    timings["tj3"] = timings["total"] - timings["render"] - timings["parse_and_apply"] - timings["commit"]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("show")
    parser.add_argument("database_url")
    parser.add_argument("out")
    parser.add_argument("--compute-resources", action="store_true")
    parser.add_argument("--progress", help="time logs and the moved `now` (bench/half_done.py)")
    args = parser.parse_args()
    with open(args.show) as file:
        show = json.load(file)
    stalker.defaults["tj_command"] = "/usr/bin/tj3"
    db_setup.setup({"sqlalchemy.url": args.database_url, "sqlalchemy.echo": False})
    db_setup.init()
    started = time.perf_counter()
    studio, tasks = create_show(show)
    if args.progress:
        with open(args.progress) as file:
            log_work(studio, tasks, json.load(file))
    created = time.perf_counter() - started
    timings = schedule(studio, args.compute_resources)
    dates = {
        key: [task.computed_start.astimezone(UTC).isoformat(), task.computed_end.astimezone(UTC).isoformat()]
        for key, task in tasks.items()
    }
    result = {
        "stalker": stalker.__version__,
        "compute_resources": args.compute_resources,
        "tasks": len(tasks),
        "create_seconds": created,
        "timings": timings,
        "dates": dates,
    }
    with open(args.out, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
