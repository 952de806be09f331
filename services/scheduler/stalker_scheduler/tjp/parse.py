"""Read tj3's CSV task report, or the driver's result file, back into computed dates per task and project.

Rows look like `"Project_34.Task_36.Task_37";"2014-04-02-16:00+0000";"2014-04-16-16:00+0000";"User_29"`:
the last segment of the dotted id names the entity, a lone `Project_<id>` is a project. Times carry their
UTC offset when the report asks for `%z`; without one (Stalker's format) they are read in the studio's zone.
Resources come as bare ids or, in Stalker's format, as `<name> (User_<id>)`.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from stalker_scheduler.tjp.clock import parse_tj3_time
from stalker_shared.contracts.scheduling import ProjectResult, TaskResult

_TASK = re.compile(r"Task_(\d+)")
_PROJECT = re.compile(r"Project_(\d+)")
_RESOURCE = re.compile(r"User_(\d+)")
_RESOURCE_WITH_NAME = re.compile(r".*\((User_\d+)\)")


class ReportError(ValueError):
    """The CSV is not the report the renderer asked for."""


def parse_csv(text: str, timezone: str) -> tuple[dict[int, TaskResult], dict[int, ProjectResult]]:
    """Computed start, end (aware, UTC) and resources of every task and project in the report."""
    zone = ZoneInfo(timezone)
    rows = csv.reader(text.splitlines(), delimiter=";", quotechar='"')
    header = next(rows, None)
    if not header or header[:3] != ["Id", "Start", "End"]:
        raise ReportError(f"unexpected report header {header!r}")
    with_resources = len(header) > 3 and header[3] == "Resources"
    tasks: dict[int, TaskResult] = {}
    projects: dict[int, ProjectResult] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        try:
            start, end = parse_tj3_time(row[1], zone), parse_tj3_time(row[2], zone)
        except (IndexError, ValueError) as exc:
            raise ReportError(f"line {number}: unreadable row {row!r}") from exc
        last = row[0].rsplit(".", 1)[-1]
        if match := _TASK.fullmatch(last):
            resources = _resource_ids(row[3]) if with_resources and len(row) > 3 else ()
            task_id = int(match.group(1))
            tasks[task_id] = TaskResult(
                id=task_id, computed_start=start, computed_end=end, resource_ids=resources
            )
        elif match := _PROJECT.fullmatch(row[0]):
            project_id = int(match.group(1))
            projects[project_id] = ProjectResult(id=project_id, computed_start=start, computed_end=end)
        else:
            raise ReportError(f"line {number}: unknown id {row[0]!r}")
    return tasks, projects


def _resource_ids(cell: str) -> tuple[int, ...]:
    ids = []
    for item in filter(None, (part.strip() for part in cell.split(", "))):
        named = _RESOURCE_WITH_NAME.fullmatch(item)
        match = _RESOURCE.fullmatch(named.group(1) if named else item)
        if match is None:
            raise ReportError(f"unreadable resource {item!r}")
        ids.append(int(match.group(1)))
    return tuple(ids)


_SUPPLEMENT = re.compile(r"^supplement task (\S+) \{")
_BOOKING = re.compile(r"^\s*booking User_(\d+) ")


def parse_bookings(text: str) -> dict[int, tuple[int, ...]]:
    """Resource ids per task from tj3's booking export, in the order of their first booking.

    The export has one `supplement task <dotted id> {` block per task, each booking opening with
    `booking User_<id> <start> + <hours>` (continuation lines hold only more intervals).
    """
    resources: dict[int, dict[int, None]] = {}
    current: dict[int, None] | None = None
    for line in text.splitlines():
        if opened := _SUPPLEMENT.match(line):
            match = _TASK.fullmatch(opened.group(1).rsplit(".", 1)[-1])
            current = resources.setdefault(int(match.group(1)), {}) if match else None
        elif current is not None and (booking := _BOOKING.match(line)):
            current[int(booking.group(1))] = None
    return {task_id: tuple(ids) for task_id, ids in resources.items()}


RESULT_FORMAT = "stalker-tj3-result 1"


def parse_result(
    text: str, *, with_resources: bool
) -> tuple[dict[int, TaskResult], dict[int, ProjectResult]]:
    """Dates (and, `with_resources`, booked resources) from the driver's result file (ruby/driver.rb).

    Lines are `<dotted id>\\t<start>\\t<end>\\t<User_1,User_2>` with Unix seconds, between a format line
    and `end <count>`; ids map to tasks and projects as in `parse_csv`.
    """
    lines = text.splitlines()
    if not lines or lines[0] != RESULT_FORMAT:
        raise ReportError(f"unexpected result header {lines[:1]!r}")
    if len(lines) < 2 or lines[-1] != f"end {len(lines) - 2}":
        raise ReportError("the result is incomplete")
    tasks: dict[int, TaskResult] = {}
    projects: dict[int, ProjectResult] = {}
    for number, line in enumerate(lines[1:-1], start=2):
        try:
            full_id, start_text, end_text, resource_text = line.split("\t")
            start = datetime.fromtimestamp(int(start_text), UTC)
            end = datetime.fromtimestamp(int(end_text), UTC)
        except ValueError as exc:
            raise ReportError(f"line {number}: unreadable row {line!r}") from exc
        last = full_id.rsplit(".", 1)[-1]
        if match := _TASK.fullmatch(last):
            resources = _resource_ids(resource_text.replace(",", ", ")) if with_resources else ()
            task_id = int(match.group(1))
            tasks[task_id] = TaskResult(
                id=task_id, computed_start=start, computed_end=end, resource_ids=resources
            )
        elif match := _PROJECT.fullmatch(full_id):
            project_id = int(match.group(1))
            projects[project_id] = ProjectResult(id=project_id, computed_start=start, computed_end=end)
        else:
            raise ReportError(f"line {number}: unknown id {full_id!r}")
    return tasks, projects
