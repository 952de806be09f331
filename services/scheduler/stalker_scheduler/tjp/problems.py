"""tj3's messages as Problems: each cause tj3 reports (with the messages that follow from it) becomes one
Problem per task and resource it concerns, of a kind and explained in words (explain.py), tj3's own text
kept in `message`. A message naming no task is attributed through its line number to the task or
resource block of the .tjp that holds it."""

from __future__ import annotations

import re

from stalker_scheduler.tjp import messages as tj3
from stalker_scheduler.tjp.context import ProblemContext
from stalker_scheduler.tjp.explain import explain, explain_closing
from stalker_scheduler.tjp.findings import Finding, Group
from stalker_scheduler.tjp.messages import Tj3Message, read_messages, task_id_of
from stalker_shared.contracts.scheduling import Problem, ScheduleRequested

_OPENS = re.compile(
    r"^\s*(?:task (?P<kind>Task|Project)_(?P<task>\d+)\s|resource User_(?P<user>\d+)\s)?.*\{\s*$"
)
# Causes, and the messages tj3 prints because of them: a task that did not fit, a dependency loop, tasks
# that wait on each other; each cause's list of unscheduled tasks joins it. The error that ends the run
# stays a problem of its own (the run's failure), explained by the causes it closes.
_CAUSES = (tj3.RUNAWAY, tj3.LOOP_DETECTED, tj3.DEADLOCK)
_FOLLOW_UPS = (tj3.UNSCHEDULED_TASK, tj3.UNSCHEDULED_TASKS)
_CLOSES = {tj3.SCHED_RUNAWAY: (tj3.RUNAWAY,), tj3.LOOP_END: (tj3.LOOP_DETECTED,)}

Owners = dict[int, tuple[str, int]]


def map_problems(
    stderr: str, request: ScheduleRequested | None = None, tjp_text: str | None = None
) -> list[Problem]:
    """tj3's `file:line: Error|Warning: message` lines as explained Problems, with the tasks and resources
    they concern; `request` and `tjp_text` add names and dates (without them, ids stand for names).
    Unknown stderr (a crash, a wrapper script) gives one error with its last line.
    """
    context = ProblemContext(request, tjp_text)
    owners = _line_owners(tjp_text) if tjp_text else {}
    findings: dict[int, list[Finding]] = {}
    problems = []
    for group in _groups(read_messages(stderr), owners):
        if group.closes:
            closed = [finding for cause in group.closes for finding in findings[id(cause)]]
            found = [explain_closing(group, closed, context)]
        else:
            found = findings[id(group)] = explain(group, context)
        problems += [_problem(group, finding, context) for finding in found]
    if not any(problem.severity == "error" for problem in problems) and stderr.strip():
        last = [line.strip() for line in stderr.splitlines() if line.strip()][-1]
        if not tj3.is_message(last):
            text = f"tj3 stopped without saying why in its own words; its last line: {last}"
            problems.append(Problem(severity="error", message=last, kind="other", explanation=text))
    return problems


def _groups(messages: list[Tj3Message], owners: Owners) -> list[Group]:
    """Each cause with the messages that follow from it, each closing error with the causes it closes,
    every other message on its own (infos join the message before them)."""
    groups: list[Group] = []
    causes: list[Group] = []
    for message in messages:
        if message.severity == "info":
            if groups:
                groups[-1].messages.append(message)
            continue
        task_id, resource_id = _named(message, owners)
        if any(pattern.match(message.text) for pattern in _FOLLOW_UPS):
            cause = _cause_of(causes, task_id, message.line)
            if cause is not None:
                cause.messages.append(message)
                continue
        group = Group([message], task_id, resource_id)
        closes = next((kinds for pattern, kinds in _CLOSES.items() if pattern.match(message.text)), ())
        group.closes = [cause for cause in causes if any(kind.match(cause.first.text) for kind in closes)]
        if group.task_id is None and (same_line := _cause_of(group.closes, None, message.line)):
            group.task_id = same_line.task_id
        groups.append(group)
        if any(pattern.match(message.text) for pattern in _CAUSES):
            causes.append(group)
    return groups


def _cause_of(causes: list[Group], task_id: int | None, line: int | None) -> Group | None:
    """The cause a message belongs to: the one about its task, else the one on its line (tj3 gives the
    task's line), else the last one when the message names no task or the last cause names none (tj3
    lists the tasks a deadlock holds after it)."""
    for cause in reversed(causes):
        if task_id is not None and cause.task_id == task_id:
            return cause
    for cause in reversed(causes):
        if line is not None and cause.first.line == line:
            return cause
    if not causes or (task_id is not None and causes[-1].task_id is not None):
        return None
    return causes[-1]


def _named(message: Tj3Message, owners: Owners) -> tuple[int | None, int | None]:
    """The task and resource a message names, else the block its line is in."""
    task = tj3.TASK_REF.search(message.text)
    resource = tj3.RESOURCE_REF.search(message.text)
    task_id = task_id_of(task.group(0)) if task else None
    resource_id = int(resource.group(1)) if resource else None
    owner_kind, owner_id = owners.get(message.line or 0, ("", 0))
    if task_id is None and owner_kind == "task":
        task_id = owner_id
    if resource_id is None and owner_kind == "resource":
        resource_id = owner_id
    return task_id, resource_id


def _problem(group: Group, finding: Finding, context: ProblemContext) -> Problem:
    failed = any(message.severity == "error" for message in group.messages)
    task_id = finding.task_id if finding.task_id is not None else group.task_id
    resource_id = finding.resource_id if finding.resource_id is not None else group.resource_id
    return Problem(
        severity="error" if failed else "warning",
        line=group.first.line,
        message="\n".join(message.text for message in group.messages),
        task_id=task_id,
        task_name=context.task_name(task_id),
        resource_id=resource_id,
        resource_name=context.resource_name(resource_id),
        kind=finding.kind,
        explanation=finding.explanation,
    )


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
