"""What-if changes as people type them (`--vacation alice:2025-01-07:2025-01-09`, `--timing 12:3d`...), into
the client's WhatIf; logins and project codes are looked up, dates are the studio's local time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

import typer

from stalker_client._client import Stalker
from stalker_client._errors import NotFound
from stalker_client._scenario_models import WhatIf
from stalker_client.cli._moments import moment_of

STUDIO = "studio"
MOMENT = r"\d{4}-\d\d-\d\d(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?"
VACATION = re.compile(rf"^(?P<who>[^:]+):(?P<start>{MOMENT}):(?P<end>{MOMENT})$")
TASK_USER = re.compile(r"^(?P<task>\d+):(?P<login>.+)$")
TIMING = re.compile(r"^(?P<task>\d+):(?P<value>\d+(?:\.\d+)?)(?P<unit>min|h|d|w|m|y)?$")
PRIORITY = re.compile(r"^(?P<task>\d+):(?P<priority>\d+)$")
PROJECT_END = re.compile(rf"^(?P<project>[^:]+):(?P<end>{MOMENT})$")
HELP = {
    "--vacation": "LOGIN:START:END, or studio:START:END for everybody (end excluded; dates or times)",
    "--cancel-vacation": "A vacation's id: imagine it cancelled",
    "--add-artist": "TASK_ID:LOGIN: one more resource on the task",
    "--remove-artist": "TASK_ID:LOGIN: a resource off the task",
    "--timing": "TASK_ID:3d (min, h, d, w, m, y; a bare number keeps the task's unit)",
    "--priority": "TASK_ID:800 (0 to 1000)",
    "--project-end": "CODE:DATE (or PROJECT_ID:DATE): a new end (deadline) for the project",
}


@dataclass
class Typed:
    """The options as given, each checked for its form before anything is asked of the server."""

    vacations: list[re.Match[str]] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    added: list[re.Match[str]] = field(default_factory=list)
    removed: list[re.Match[str]] = field(default_factory=list)
    timings: list[re.Match[str]] = field(default_factory=list)
    priorities: list[re.Match[str]] = field(default_factory=list)
    project_ends: list[re.Match[str]] = field(default_factory=list)


def typed(
    *,
    vacations: Sequence[str],
    cancelled: Sequence[int],
    added: Sequence[str],
    removed: Sequence[str],
    timings: Sequence[str],
    priorities: Sequence[str],
    project_ends: Sequence[str],
) -> Typed:
    found = Typed(
        vacations=_all(VACATION, vacations, "--vacation"),
        cancelled=list(cancelled),
        added=_all(TASK_USER, added, "--add-artist"),
        removed=_all(TASK_USER, removed, "--remove-artist"),
        timings=_all(TIMING, timings, "--timing"),
        priorities=_all(PRIORITY, priorities, "--priority"),
        project_ends=_all(PROJECT_END, project_ends, "--project-end"),
    )
    for match in found.priorities:
        if int(match["priority"]) > 1000:
            raise typer.BadParameter(f"{match.string!r}: a priority is 0 to 1000", param_hint="--priority")
    return found


def what_if_of(client: Stalker, given: Typed, zone: tzinfo) -> WhatIf:
    """The WhatIf the options describe: logins and project codes looked up, times in the studio's zone."""
    changes = WhatIf()
    logins: dict[str, int] = {}
    for match in given.vacations:
        who = match["who"]
        user_id = None if who == STUDIO else _user(client, who, logins, "--vacation")
        start = moment_of(match["start"], zone, "--vacation")
        changes.add_vacation(user_id, start, moment_of(match["end"], zone, "--vacation"))
    for vacation_id in given.cancelled:
        changes.cancel_vacation(vacation_id)
    for match in given.added:
        changes.add_resource(int(match["task"]), _user(client, match["login"], logins, "--add-artist"))
    for match in given.removed:
        changes.remove_resource(int(match["task"]), _user(client, match["login"], logins, "--remove-artist"))
    for match in given.timings:
        changes.set_timing(int(match["task"]), float(match["value"]), match["unit"])
    for match in given.priorities:
        changes.set_priority(int(match["task"]), int(match["priority"]))
    for match in given.project_ends:
        project_id = _project(client, match["project"])
        changes.end_project(project_id, moment_of(match["end"], zone, "--project-end"))
    return changes


def _all(pattern: re.Pattern[str], values: Sequence[str], hint: str) -> list[re.Match[str]]:
    matches = []
    for value in values:
        match = pattern.match(value.strip())
        if match is None:
            raise typer.BadParameter(f"{value!r} is not {HELP[hint]}", param_hint=hint)
        matches.append(match)
    return matches


def _user(client: Stalker, login: str, known: dict[str, int], hint: str) -> int:
    if login not in known:
        user = client.users.by_login(login)
        if user is None:
            raise NotFound(f"no user with login {login!r}", title="Not Found", field=hint)
        known[login] = user.id
    return known[login]


def _project(client: Stalker, code: str) -> int:
    project = client.projects.first(code=code)
    if project is None and code.isdigit():
        return int(code)  # an id: the server says if there is no such project
    if project is None:
        raise NotFound(f"no project with code {code!r}", title="Not Found", field="--project-end")
    return project.id
