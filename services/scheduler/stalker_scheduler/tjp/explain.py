"""Why tj3 could not schedule, in words: each group of tj3's messages (a cause and the lines that follow
from it) becomes findings of a kind, naming the task and the resource by their names and saying what to
change. Patterns and their tj3 message ids are in messages.py."""

from __future__ import annotations

import re
from collections.abc import Callable

from stalker_scheduler.tjp import messages as tj3
from stalker_scheduler.tjp.context import ProblemContext
from stalker_scheduler.tjp.explain_time import (
    explain_date_outside,
    explain_impossible_dependency,
    explain_outside_frame,
    explain_pred_before,
    explain_runaway,
    explain_wrong_direction,
)
from stalker_scheduler.tjp.findings import Finding, Group
from stalker_scheduler.tjp.messages import task_id_of

Explainer = Callable[[re.Match[str], Group, ProblemContext], list[Finding]]


def explain(group: Group, context: ProblemContext) -> list[Finding]:
    """The findings of one group: at least one, `other` with tj3's words (ids named) when unknown."""
    for pattern, explainer in _EXPLAINERS:
        if match := pattern.match(group.first.text):
            return explainer(match, group, context)
    if group.first.echo is not None:
        where = f" at line {group.first.line}" if group.first.line else ""
        text = f"tj3 could not read the plan{where} ({group.first.echo}): {named(group.first.text, context)}"
        return [Finding("invalid_input", text, group.task_id, group.resource_id)]
    text = f"tj3 reported: {named(group.first.text, context)}"
    return [Finding("other", text, group.task_id, group.resource_id)]


def explain_closing(group: Group, closed: list[Finding], context: ProblemContext) -> Finding:
    """The error that ended the run, in terms of the causes it closes (their findings): of their kind,
    naming their tasks."""
    tasks = list(dict.fromkeys(f.task_id for f in closed if f.task_id is not None))
    if tj3.LOOP_END.match(group.first.text):
        loops = [_loop_members(loop) for loop in group.closes[-1:]]
        through = f" through {context.labels(loops[0])}" if loops else ""
        text = f"tj3 stopped at the dependency loop{through}: remove one of its dependencies"
        return Finding(closed[0].kind if closed else "dependency_loop", text, group.task_id)
    which = context.labels(tasks) if tasks else "Some tasks"
    text = f"tj3 stopped: {which} did not fit in {context.studio_dates()}; the other problems say why"
    return Finding(closed[0].kind if closed else "does_not_fit", text, group.task_id)


def named(text: str, context: ProblemContext) -> str:
    """tj3's text with its task and resource ids replaced by the names people know them by."""
    text = tj3.TASK_REF.sub(lambda m: context.label(task_id_of(m.group(0))), text)
    return tj3.RESOURCE_REF.sub(lambda m: context.who(int(m.group(1))), text)


def _loop_members(group: Group) -> list[int]:
    """The tasks of a dependency loop, where tj3 found it first."""
    found = [m.group("task") for m in (tj3.LOOP_DETECTED.match(group.first.text),) if m]
    found += [info.group("task") for info in group.infos(tj3.LOOP_CONTINUED)]
    return list(dict.fromkeys(task_id_of(tj3_id) for tj3_id in found))


def _loop(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    members = _loop_members(group)
    cycle = " -> ".join(context.label(task_id) for task_id in [*members, members[0]])
    text = (
        f"{context.labels(members)} depend on each other in a loop ({cycle}), so none of them can be "
        "scheduled first: remove one of these dependencies"
        if len(members) > 1
        else f"{context.label(members[0])} depends on itself through its parent or children: remove that "
        "dependency"
    )
    return [Finding("dependency_loop", text, members[0])]


def _deadlock(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    waiting = [task_id_of(m.group("task")) for m in group.infos(tj3.UNSCHEDULED_TASK)]
    who = context.labels(waiting) if waiting else "Some tasks"
    text = (
        f"{who} wait for each other and none has a date to start from: pin a start or an end of one of "
        "them, or make one depend on a task that can be scheduled"
    )
    return [Finding("dependency_loop", text, waiting[0] if waiting else group.task_id)]


def _depend_self(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    text = f"{context.label(task_id)} depends on itself: remove that dependency"
    return [Finding("dependency_loop", text, task_id)]


def _depend_relative(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id, other = task_id_of(match.group("task")), task_id_of(match.group("other"))
    relation = "its own child" if match.group("which") == "child" else "its parent"
    text = (
        f"{context.label(task_id)} depends on {relation} {context.label(other)}, which contains it or is "
        "contained in it: remove that dependency"
    )
    return [Finding("dependency_loop", text, task_id)]


def _no_tasks(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    text = "There is no task to schedule: the projects chosen have no tasks"
    return [Finding("invalid_input", text)]


def _no_allocations(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    amount = context.amount(task_id) or "work"
    text = f"{context.label(task_id)} needs {amount} but nobody is assigned to do it: give it a resource"
    return [Finding("no_resources", text, task_id)]


def _none_assigned(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    task = context.task(task_id)
    resources = [*task.resources, *task.alternative_resources] if task else []
    names = ", ".join(context.who(resource_id) for resource_id in resources) or "its resources"
    text = (
        f"{context.label(task_id)} got none of its resources ({names}): they were busy with other work for "
        "all of its time; give it an effort instead of a duration, or a higher priority"
    )
    return [Finding("no_resources", text, task_id, resources[0] if len(resources) == 1 else None)]


def _broken_persistence(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id, name = task_id_of(match.group("task")), match.group("name")
    text = (
        f"{name} began {context.label(task_id)} but is not available for the rest of the studio's time, "
        "so someone else had to take it over"
    )
    return [Finding("no_resources", text, task_id, context.resource_named(name))]


def _booking_conflict(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    resource_id = int(match.group("resource"))
    first, second = task_id_of(match.group("first")), task_id_of(match.group("second"))
    text = (
        f"{context.who(resource_id)}'s time logs on {context.label(first)} and {context.label(second)} "
        f"overlap at {context.when(match.group('date'))}: correct one of them"
    )
    return [Finding("booking_conflict", text, second, resource_id)]


def _booking_off(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    resource_id = int(match.group("resource"))
    why = "outside their working hours" if match.group("why") == "has no duty" else "while on leave"
    task = f" on {context.label(group.task_id)}" if group.task_id is not None else ""
    text = (
        f"{context.who(resource_id)} logged time{task} at {context.when(match.group('date'))}, {why}: "
        "correct the time log or the calendar"
    )
    return [Finding("booking_conflict", text, group.task_id, resource_id)]


def _overbooked_effort(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    measure = match.group("measure")
    text = (
        f"The time logged on {context.label(task_id)} ({_quantity(match.group('done'))}) is more than its "
        f"{measure} ({_quantity(match.group('planned'))}): raise the {measure} or correct the time logs"
    )
    return [Finding("booking_conflict", text, task_id)]


def _quantity(text: str) -> str:
    """tj3's `5.0h` or `0.5555555555555556d` as `5 h`, `0.56 d`."""
    return f"{float(text[:-1]):.3g} {text[-1]}"


def _start_after_end(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    text = (
        f"{context.label(task_id)} would start {context.when(match.group('start'))}, after its end "
        f"{context.when(match.group('end'))}: check its pinned dates and dependencies"
    )
    return [Finding("constraint", text, task_id)]


def _outside_parent(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    edge = match.group("edge")
    task = context.task(task_id)
    parent = f"its parent {context.label(task.parent_id)}" if task and task.parent_id else "its parent"
    side = "starts" if edge == "start" else "ends"
    text = (
        f"{context.label(task_id)} would {edge} {context.when(match.group('date'))} but {parent} {side} "
        f"{context.when(match.group('limit'))}: move the parent's pinned date or the task's"
    )
    return [Finding("constraint", text, task_id)]


def _outside_limit(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    text = (
        f"{context.label(task_id)} would {match.group('edge')} {context.when(match.group('date'))}, but it "
        f"must {match.group('edge')} {match.group('side')} {context.when(match.group('limit'))}"
    )
    return [Finding("constraint", text, task_id)]


_EXPLAINERS: tuple[tuple[re.Pattern[str], Explainer], ...] = (
    (tj3.RUNAWAY, explain_runaway),
    (tj3.LOOP_DETECTED, _loop),
    (tj3.DEADLOCK, _deadlock),
    (tj3.TASK_DEPEND_SELF, _depend_self),
    (tj3.TASK_DEPEND_RELATIVE, _depend_relative),
    (tj3.NO_TASKS, _no_tasks),
    (tj3.EFFORT_NO_ALLOCATIONS, _no_allocations),
    (tj3.ALLOCATE_NO_ASSIGNED, _none_assigned),
    (tj3.BROKEN_PERSISTENCE, _broken_persistence),
    (tj3.BOOKING_CONFLICT, _booking_conflict),
    (tj3.BOOKING_OFF, _booking_off),
    (tj3.OVERBOOKED_EFFORT, _overbooked_effort),
    (tj3.PRED_BEFORE, explain_pred_before),
    (tj3.DATE_OUTSIDE, explain_date_outside),
    (tj3.WRONG_DIRECTION, explain_wrong_direction),
    (tj3.IMPOSSIBLE_DEP, explain_impossible_dependency),
    (tj3.OUTSIDE_FRAME, explain_outside_frame),
    (tj3.OUTSIDE_LIMIT, _outside_limit),
    (tj3.START_AFTER_END, _start_after_end),
    (tj3.OUTSIDE_PARENT, _outside_parent),
)
