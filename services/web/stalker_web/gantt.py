"""The Gantt chart's data, as pure functions: the pages of tasks to ask for, the tree order of the rows,
a subtree, and the compact rows the browser draws from (one short array per task, not an object)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

PAGE_SIZE = 1000
# The fields of a task the chart needs; every other field would only make 15,000 tasks heavier.
TASK_FIELDS = (
    "id",
    "parent_id",
    "name",
    "kind",
    "status",
    "start",
    "end",
    "computed_start",
    "computed_end",
    "resource_ids",
    "computed_resource_ids",
    "depends",
    "sequence_ids",  # a shot names its sequences rather than having one as its parent
)
# The browser's rows: the order of the values in each task's array.
ROW_COLUMNS = ("id", "parent_id", "depth", "name", "kind", "status", "start", "end", "resources", "depends")

Task = Mapping[str, Any]
LAST = datetime.max.isoformat()  # tasks without dates sort after those with


def page_offsets(total: int, size: int = PAGE_SIZE) -> list[int]:
    """The offsets of the pages after the first one, for a list of `total` items."""
    return list(range(size, max(total, 0), size))


def start_of(task: Task) -> str | None:
    """The computed start as the API gave it, else the planned one."""
    value = task.get("computed_start") or task.get("start")
    return str(value) if value else None


def end_of(task: Task) -> str | None:
    """The computed end as the API gave it, else the planned one."""
    value = task.get("computed_end") or task.get("end")
    return str(value) if value else None


def _sort_key(task: Task) -> tuple[str, str, int]:
    start = start_of(task)
    moment = _utc_iso(start) if start else LAST
    return moment, str(task.get("name") or ""), int(task["id"])


def _utc_iso(value: str) -> str:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def tree_order(tasks: Iterable[Task]) -> list[tuple[Task, int]]:
    """Depth first, each task's children right under it, siblings by start (then name, id); with depth.
    A task whose parent is not among them is a root."""
    by_id = {int(t["id"]): t for t in tasks}
    children: dict[int | None, list[Task]] = defaultdict(list)
    for task in by_id.values():
        parent = task.get("parent_id")
        children[parent if parent in by_id else None].append(task)
    for siblings in children.values():
        siblings.sort(key=_sort_key)
    ordered: list[tuple[Task, int]] = []
    stack: list[tuple[Task, int]] = [(t, 0) for t in reversed(children[None])]
    while stack:
        task, depth = stack.pop()
        ordered.append((task, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(int(task["id"]), [])))
    return ordered


def subtree(tasks: Sequence[Task], root_id: int) -> list[dict[str, Any]]:
    """The task `root_id` and everything under it; under a sequence, also the shots in it (a shot names
    its sequences rather than having one as its parent)."""
    children: dict[int, list[int]] = defaultdict(list)
    for task in tasks:
        if task.get("parent_id") is not None:
            children[int(task["parent_id"])].append(int(task["id"]))
        for sequence_id in task.get("sequence_ids") or ():
            if sequence_id != task.get("parent_id"):
                children[int(sequence_id)].append(int(task["id"]))
    keep: set[int] = set()
    pending = [root_id]
    while pending:
        current = pending.pop()
        if current not in keep:
            keep.add(current)
            pending.extend(children.get(current, ()))
    rows = [dict(t) for t in tasks if int(t["id"]) in keep]
    for row in rows:
        if row["parent_id"] not in keep and row["id"] != root_id:
            row["parent_id"] = root_id  # a shot of the sequence: drawn under it
    return rows


def resources_of(task: Task) -> list[int]:
    """Who does it: the computed resources when the scheduler chose them, else the assigned ones."""
    return list(task.get("computed_resource_ids") or task.get("resource_ids") or [])


def compact_row(task: Task, depth: int) -> list[Any]:
    """One task as the browser's row (ROW_COLUMNS)."""
    return [
        task["id"],
        task.get("parent_id"),
        depth,
        task.get("name"),
        task.get("kind"),
        task.get("status"),
        start_of(task),
        end_of(task),
        resources_of(task),
        sorted({int(d["depends_on_id"]) for d in task.get("depends") or ()}),
    ]


def under_sequences(tasks: Sequence[Task]) -> list[Task]:
    """The whole project's tasks with each top-level shot drawn under its (first) sequence."""
    sequences = {int(t["id"]) for t in tasks if t.get("kind") == "sequence"}
    placed: list[Task] = []
    for task in tasks:
        home = next((int(s) for s in task.get("sequence_ids") or () if int(s) in sequences), None)
        placed.append({**task, "parent_id": home} if task.get("parent_id") is None and home else task)
    return placed


def gantt_rows(tasks: Sequence[Task], parent_id: int | None = None) -> list[list[Any]]:
    """The chart's rows in tree order, shots under their sequence (only `parent_id`'s subtree when given)."""
    chosen = subtree(tasks, parent_id) if parent_id is not None else under_sequences(tasks)
    return [compact_row(task, depth) for task, depth in tree_order(chosen)]


def resource_ids(rows: Iterable[Sequence[Any]]) -> list[int]:
    """Every user that some row has as a resource."""
    index = ROW_COLUMNS.index("resources")
    return sorted({int(user) for row in rows for user in row[index]})


def ghost_moves(scenario: Mapping[str, Any], project_id: int) -> dict[str, list[Any]]:
    """A scenario's proposed dates and resources of one project's tasks: task id -> [start, end, users]."""
    return {
        str(move["task_id"]): [move["start"], move["end"], list(move.get("resources_after") or [])]
        for move in scenario.get("moves") or ()
        if move.get("project_id") == project_id
    }


def may_schedule(project: Mapping[str, Any], user_id: int, is_admin: bool) -> bool:
    """Whether the catalog would let the user schedule the project: admins and its producers. Only a hint
    for the page; the catalog decides."""
    members = project.get("members") or ()
    return is_admin or any(m.get("user_id") == user_id and m.get("role") == "producer" for m in members)


def job_view(job: Mapping[str, Any]) -> dict[str, Any]:
    """What the page shows of a schedule job: its status in the API's words, progress and message, and
    the errors the message does not already say (a failed job's message gives the first one), each once."""
    message = job.get("message") or ""
    problems = [
        p.get("explanation") or p.get("message")
        for p in job.get("problems") or ()
        if p.get("severity") == "error"
    ]
    problems = [p for p in dict.fromkeys(problems) if p and p not in message]
    return {
        "id": job["id"],
        "status": job["status"],
        "done": job["status"] in ("completed", "failed"),
        "parts": job.get("parts", 0),
        "parts_done": job.get("parts_done", 0),
        "tasks_scheduled": job.get("tasks_scheduled"),
        "message": message,
        "problems": problems,
    }
