"""tj3's messages as Problems: `file:line: Error|Warning: message` lines, attributed to the task or
resource they name (or, through the line number, to the block of the .tjp that holds it)."""

from __future__ import annotations

import re

from stalker_shared.contracts.scheduling import Problem, ScheduleRequested

_MESSAGE = re.compile(
    r"^(?:(?P<file>[^\s:]+):(?P<line>\d+): )?(?P<severity>Error|Warning|Fatal): (?P<message>.*?)\s*$"
)
_TASK_REF = re.compile(r"\b(?:Project_\d+\.)?(?:Task_\d+\.)*Task_(\d+)\b")
_RESOURCE_REF = re.compile(r"\bUser_(\d+)\b")
_OPENS = re.compile(
    r"^\s*(?:task (?P<kind>Task|Project)_(?P<task>\d+)\s|resource User_(?P<user>\d+)\s)?.*\{\s*$"
)


def map_problems(
    stderr: str, request: ScheduleRequested | None = None, tjp_text: str | None = None
) -> list[Problem]:
    """tj3's `file:line: Error|Warning: message` lines as Problems, with the task or resource they name.

    A message naming no task is attributed through its line number to the task or resource block of
    `tjp_text` that contains it; `request` adds names. tj3's echo of the offending source line is dropped.
    """
    owners = _line_owners(tjp_text) if tjp_text else {}
    task_names = {task.id: task.name for task in request.tasks} if request else {}
    resource_names = {resource.id: resource.name for resource in request.resources} if request else {}
    problems = []
    for raw in stderr.splitlines():
        match = _MESSAGE.match(raw)
        if match is None:
            continue
        message = match.group("message")
        line = int(match.group("line")) if match.group("line") else None
        task = _TASK_REF.search(message)
        resource = _RESOURCE_REF.search(message)
        task_id = int(task.group(1)) if task else None
        resource_id = int(resource.group(1)) if resource else None
        owner_kind, owner_id = owners.get(line or 0, ("", 0))
        if task_id is None and owner_kind == "task":
            task_id = owner_id
        if resource_id is None and owner_kind == "resource":
            resource_id = owner_id
        problems.append(
            Problem(
                severity="warning" if match.group("severity") == "Warning" else "error",
                line=line or None,
                message=message,
                task_id=task_id,
                task_name=task_names.get(task_id) if task_id is not None else None,
                resource_id=resource_id,
                resource_name=resource_names.get(resource_id) if resource_id is not None else None,
            )
        )
    if not any(problem.severity == "error" for problem in problems) and stderr.strip():
        # Not tj3's own format (a crash, a wrapper script): keep its last words.
        last = [line.strip() for line in stderr.splitlines() if line.strip()][-1]
        if not _MESSAGE.match(last):
            problems.append(Problem(severity="error", message=last))
    return problems


def _line_owners(tjp_text: str) -> dict[int, tuple[str, int]]:
    """Line number -> innermost enclosing task or resource block, for the renderer's one-block-per-line
    layout (a block opens at a line ending in `{` and closes at a line holding only `}`)."""
    owners: dict[int, tuple[str, int]] = {}
    stack: list[tuple[str, int] | None] = []
    for number, line in enumerate(tjp_text.splitlines(), start=1):
        opened = _OPENS.match(line)
        if opened:
            if opened.group("kind") == "Task":
                stack.append(("task", int(opened.group("task"))))
            elif opened.group("user"):
                stack.append(("resource", int(opened.group("user"))))
            else:
                stack.append(None)
        owner = next((item for item in reversed(stack) if item is not None), None)
        if owner is not None:
            owners[number] = owner
        if line.strip() == "}" and stack:
            stack.pop()
    return owners
