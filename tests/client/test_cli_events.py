"""`stalker events` from the command line: `tail --no-follow` prints the log's events one a line (or as
JSON lines) filtered by type and project, `types` lists the kinds; errors are one message and exit 1."""

from __future__ import annotations

import json
import time

from stalker_client import Stalker
from stalker_client.cli._events import summary_of

from support.cli import as_admin, stalker

TIMEOUT = 30.0


def wait_for_tasks(admin: Stalker, project_id: int, count: int) -> None:
    """Until the log has recorded the project's tasks (it does so a moment after the change)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = admin.events.iter(types=["catalog.task.created"], project_ids=[project_id])
        if len(list(found)) >= count:
            return
        assert time.monotonic() < deadline, "the log never recorded the tasks"
        time.sleep(0.1)


def test_tail_prints_the_projects_task_events(admin: Stalker, system: str, unique: str) -> None:
    project = admin.projects.create(name=f"CLI events {unique}", code=f"CE{unique}")
    for name in ("Layout", "comp"):
        admin.tasks.create(name=name, project_id=project.id)
    wait_for_tasks(admin, project.id, 2)

    shown = stalker(
        "events", "tail", "--no-follow", "--type", "catalog.task.*", "--project", project.code,
        env=as_admin(system),
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    created = [line for line in lines if "catalog.task.created" in line]
    assert len(created) == 2 and all(line.split("  ")[3] == project.code for line in lines)
    assert "Layout #" in created[0] and "comp #" in created[1]
    cursors = [int(line.split()[0]) for line in lines]
    assert cursors == sorted(set(cursors))

    later = stalker(
        "events", "tail", "--no-follow", "--json", "--type", "catalog.task.created",
        "--project", str(project.id), "--after", str(cursors[0]), env=as_admin(system),
    )  # fmt: skip
    assert later.exit_code == 0, later.output
    items = [json.loads(line) for line in later.output.splitlines()]
    assert [(i["type"], i["data"]["name"], i["project_id"]) for i in items] == [
        ("catalog.task.created", "comp", project.id)
    ]


def test_types_lists_every_kind(system: str) -> None:
    shown = stalker("events", "types", env=as_admin(system))
    assert shown.exit_code == 0 and "catalog.task.created" in shown.output.splitlines()


def test_a_bad_pattern_or_project_is_one_message(system: str, unique: str) -> None:
    bad = stalker("events", "tail", "--no-follow", "--type", "nope.nothing", env=as_admin(system))
    assert bad.exit_code == 1 and "field: type" in bad.output
    missing = stalker("events", "tail", "--no-follow", "--project", f"NO{unique}", env=as_admin(system))
    assert missing.exit_code == 1 and "--project" in missing.output


def test_the_summary_is_what_the_payload_names() -> None:
    assert summary_of({"id": 12, "name": "Layout", "code": "LAY"}) == "Layout (LAY) #12"
    assert summary_of({"id": 5, "code": "SH001", "name": "SH001"}) == "SH001 #5"
    assert summary_of({"id": 7}) == "#7"
    assert summary_of({}) == ""
