"""Drive the reference (Stalker 1.1.2.1) through its ORM for the API benchmarks: bulk tasks, lists, versions.

Runs under the reference's own virtual environment (see `bench/reference/venv.py`) and imports nothing
from this repository. DATABASE_URL is an empty scratch database, `postgresql+psycopg2://...`.

Usage:
  <ref-venv>/bin/python bench/reference/api_driver.py tasks ITEMS.json DATABASE_URL OUT.json
      ITEMS.json is the node list of `bench/catalog_bulk.py show_items()`: created through the ORM and
      committed once, then listed back: every task of the project, and the filtered list.
  <ref-venv>/bin/python bench/reference/api_driver.py versions DATABASE_URL OUT.json \
      --versions N --processes P
      The tutorial's commercial (repository, structure, template, project FC, shot SH001, task comp), then N
      versions of comp: `Version(task=comp)`, commit, `full_path` (the reference renders the path on read),
      by P processes at once. Duplicate version numbers are counted afterwards.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from typing import Any

import stalker
from sqlalchemy import func, select, text
from stalker import (
    FilenameTemplate,
    Project,
    Repository,
    Sequence,
    Shot,
    Status,
    Structure,
    Task,
    Version,
)
from stalker.db import setup as db_setup
from stalker.db.session import DBSession

TUTORIAL_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
TUTORIAL_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'


def connect(url: str, *, init: bool) -> None:
    db_setup.setup({"sqlalchemy.url": url, "sqlalchemy.echo": False})
    if init:
        db_setup.init()


def create_tasks(items: list[dict[str, Any]]) -> tuple[Project, int]:
    """The node list through the ORM, one commit: sequences, shots (children of their sequence), tasks."""
    project = Project(name="Bench SHOW", code="SHOW")
    DBSession.add(project)
    DBSession.flush()  # shots check their code's uniqueness with a query on the project's id
    nodes: dict[str, Any] = {}
    for item in items:
        parent = nodes.get(item.get("parent_ref", ""))
        kind = item.get("kind", "task")
        if kind == "sequence":
            node: Any = Sequence(name=item["name"], code=item["code"], project=project)
        elif kind == "shot":
            node = Shot(code=item["code"], project=project, sequence=parent, parent=parent)
        else:
            node = Task(
                name=item["name"],
                project=project if parent is None else None,
                parent=parent,
                schedule_timing=item.get("schedule_timing", 1),
                schedule_unit=item.get("schedule_unit", "h"),
                priority=item.get("priority", 500),
                depends_on=[nodes[ref] for ref in item.get("depends_on_refs", [])],
            )
        DBSession.add(node)
        nodes[item.get("ref") or f"#{len(nodes)}"] = node
    DBSession.commit()
    return project, len(nodes)


def list_tasks(project_id: int) -> dict[str, Any]:
    """Every task of the project (the better of two reads, as on our side), then the benchmark's filter,
    each from a fresh session (nothing cached), after ANALYZE as on our side."""
    DBSession.execute(text("ANALYZE"))
    DBSession.commit()
    all_seconds = float("inf")
    for _ in range(2):
        DBSession.expunge_all()
        started = time.perf_counter()
        everything = Task.query.filter(Task.project_id == project_id).all()
        all_seconds = min(all_seconds, time.perf_counter() - started)
    DBSession.expunge_all()
    started = time.perf_counter()
    filtered = (
        Task.query.filter(Task.project_id == project_id)
        .filter(Task.status.has(Status.code.in_(["RTS", "WFD"])))
        .filter(Task.name.contains("anim"))
        .all()
    )
    filtered_seconds = time.perf_counter() - started
    return {
        "all": {"tasks": len(everything), "seconds": all_seconds},
        "filtered": {"tasks": len(filtered), "seconds": filtered_seconds},
    }


def tasks_mode(args: argparse.Namespace) -> dict[str, Any]:
    with open(args.items) as file:
        items = json.load(file)
    connect(args.database_url, init=True)
    started = time.perf_counter()
    project, count = create_tasks(items)
    seconds = time.perf_counter() - started
    return {
        "create": {"tasks": count, "seconds": seconds, "tasks_per_second": count / seconds},
        "list": list_tasks(project.id),
    }


def tutorial_commercial() -> int:
    """Repository, structure with the tutorial's template, project FC, shot SH001 and its task comp."""
    repository = Repository(
        name="Commercial Repository",
        code="CR",
        linux_path="/mnt/M/commercials",
        macos_path="/Volumes/M/commercials",
        windows_path="M:/commercials",
    )
    template = FilenameTemplate(
        name="Task Template", target_entity_type="Task", path=TUTORIAL_PATH, filename=TUTORIAL_FILENAME
    )
    structure = Structure(name="Commercial Projects Structure", templates=[template])
    project = Project(name="Fancy Commercial", code="FC", repositories=[repository], structure=structure)
    DBSession.add_all([repository, template, structure, project])
    DBSession.flush()
    shot = Shot(code="SH001", project=project)
    DBSession.add(shot)
    comp = Task(name="comp", parent=shot)
    DBSession.add(comp)
    DBSession.commit()
    return int(comp.id)


def make_versions(url: str, task_id: int, count: int) -> list[float]:
    """`count` versions of the task, each committed and its path rendered; the latency of each."""
    connect(url, init=False)
    task = DBSession.get(Task, task_id)
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        version = Version(task=task)
        DBSession.add(version)
        DBSession.commit()
        assert str(version.full_path)
        latencies.append(time.perf_counter() - started)
    DBSession.remove()
    return latencies


def versions_mode(args: argparse.Namespace) -> dict[str, Any]:
    connect(args.database_url, init=True)
    task_id = tutorial_commercial()
    make_versions(args.database_url, task_id, args.warmup)  # the path templates and statements warm up
    DBSession.remove()
    count, processes = args.versions, args.processes
    shares = [count // processes + (i < count % processes) for i in range(processes)]
    started = time.perf_counter()
    if args.processes == 1:
        latencies = make_versions(args.database_url, task_id, shares[0])
    else:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            parts = pool.starmap(make_versions, [(args.database_url, task_id, n) for n in shares])
        latencies = [seconds for part in parts for seconds in part]
    seconds = time.perf_counter() - started
    connect(args.database_url, init=False)
    numbers = DBSession.execute(
        select(Version.version_number, func.count())
        .where(Version.task_id == task_id)
        .group_by(Version.version_number)
    ).all()
    made = sum(n for _, n in numbers)
    latencies.sort()
    return {
        "processes": args.processes,
        "versions": args.versions,
        "seconds": seconds,
        "versions_per_second": args.versions / seconds,
        "latency_ms_p50": latencies[len(latencies) // 2] * 1000,
        "latency_ms_p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rows": made - args.warmup,
        # Versions whose number another version of the task also has (the reference has no constraint).
        "duplicated": sum(n for _, n in numbers if n > 1),
        "distinct_numbers": len(numbers),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    modes = parser.add_subparsers(dest="mode", required=True)
    tasks = modes.add_parser("tasks")
    tasks.add_argument("items")
    tasks.add_argument("database_url")
    tasks.add_argument("out")
    versions = modes.add_parser("versions")
    versions.add_argument("database_url")
    versions.add_argument("out")
    versions.add_argument("--versions", type=int, default=400)
    versions.add_argument("--processes", type=int, default=1)
    versions.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    result = tasks_mode(args) if args.mode == "tasks" else versions_mode(args)
    result["stalker"] = stalker.__version__
    with open(args.out, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
