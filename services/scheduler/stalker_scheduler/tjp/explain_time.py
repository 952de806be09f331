"""Explanations of tj3's messages about time: a task that does not fit the studio's dates (and why: too
much work, a resource wanted by other tasks, a resource on leave, a pinned date), and pinned dates or
dependencies that cannot both be kept."""

from __future__ import annotations

import re
from datetime import datetime

from stalker_scheduler.tjp import messages as tj3
from stalker_scheduler.tjp.context import ProblemContext, tj3_datetime
from stalker_scheduler.tjp.findings import Finding, Group
from stalker_scheduler.tjp.messages import task_id_of
from stalker_shared.contracts.scheduling import TaskSnapshot, Vacation


def explain_runaway(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    """A task whose work did not fit: overbooked if other tasks took its resources, no_resources if they
    are all on leave until the end, constraint if a pinned date holds it, else does_not_fit."""
    task_id = task_id_of(match.group("task"))
    start, end = _attempt(group, match.group("task"))
    story = _Runaway(task_id, float(match.group("left")), start, end, context)
    contended = _contended(group)
    if contended:
        return [story.overbooked(resource_id, rivals) for resource_id, rivals in contended.items()]
    task = context.task(task_id)
    resources = [*task.resources, *task.alternative_resources] if task else []
    leaves = {resource_id: context.leave_until_end(resource_id, start) for resource_id in resources}
    if resources and all(leaves.values()):
        return [story.on_leave(resource_id, leave) for resource_id, leave in leaves.items() if leave]
    if start is None and end is not None:
        return [story.ends_too_early(end)]
    if task is not None and task.schedule_constraint in ("start", "both") and start is not None:
        return [story.starts_too_late(start)]
    return [story.too_long()]


def _attempt(group: Group, tj3_id: str) -> tuple[datetime | None, datetime | None]:
    """Where tj3 got with the task: its start (scheduled forwards) or its end (backwards)."""
    for info in group.infos(tj3.UNSCHEDULED_TASK):
        if info.group("task") == tj3_id:
            return tj3_datetime(info.group("start")), tj3_datetime(info.group("end"))
    return None, None


def _contended(group: Group) -> dict[int, list[tuple[int, int]]]:
    """resource id -> [(competing task id, time slots wanted by both)], from tj3's infos."""
    contended: dict[int, list[tuple[int, int]]] = {}
    for info in group.infos(tj3.RUNAWAY_COMPETITOR):
        rival = task_id_of(info.group("task"))
        for wanted in tj3.COMPETING_RESOURCE.finditer(info.group("resources")):
            contended.setdefault(int(wanted.group("id")), []).append((rival, int(wanted.group("slots"))))
    return contended


class _Runaway:
    """The sentences about one task that did not fit."""

    def __init__(
        self, task_id: int, left: float, start: datetime | None, end: datetime | None, context: ProblemContext
    ) -> None:
        self.task_id, self.start, self.end, self.context = task_id, start, end, context
        self.label = context.label(task_id)
        task = context.task(task_id)
        self.measure = task.schedule_model if task else "effort"
        # tj3 counts what is left of an effort only; for a duration or a length its figure is meaningless.
        self.left = f"{left:g} days" if self.measure == "effort" and left > 0 else None
        self.needs = context.amount(task_id) or self.left or "more time"

    def _from(self) -> str:
        return f" from {self.context.when(self.start)}" if self.start else ""

    def _unfit(self) -> str:
        return f"{self.left} of it do not fit" if self.left else "it does not fit"

    def too_long(self) -> Finding:
        text = (
            f"{self.label} needs {self.needs}{self._from()}, but {self._unfit()} before "
            f"{self.context.studio_end()}: extend the studio's end or reduce the {self.measure}"
        )
        return Finding("does_not_fit", text, self.task_id)

    def overbooked(self, resource_id: int, rivals: list[tuple[int, int]]) -> Finding:
        who = self.context.who(resource_id)
        busy = self.context.labels([rival for rival, _ in rivals])
        hours = self.context.hours(sum(slots for _, slots in rivals))
        overlap = f" for {hours} of the same time" if hours else ""
        plural = "s" if len(rivals) > 1 else ""
        text = (
            f"{self.label} needs {who} for {self.needs}{self._from()}, but {who} is also booked on {busy}"
            f"{overlap}, so {self._unfit()} before {self.context.studio_end()}: give {self.label} "
            f"another resource, give the other task{plural} to someone else or extend the studio's end"
        )
        return Finding("overbooked", text, self.task_id, resource_id)

    def on_leave(self, resource_id: int, leave: Vacation) -> Finding:
        who = self.context.who(resource_id)
        text = (
            f"{self.label} needs {who} for {self.needs}{self._from()}, but {who} is on leave from "
            f"{self.context.when(leave.start)} to {self.context.when(leave.end)}, past "
            f"{self.context.studio_end()}: give it another resource or shorten the leave"
        )
        return Finding("no_resources", text, self.task_id, resource_id)

    def ends_too_early(self, end: datetime) -> Finding:
        text = (
            f"{self.label} must end by {self.context.when(end)} and needs {self.needs}, but {self._unfit()} "
            f"between {self.context.studio_start()} and then: move its end (or its parent's) later "
            f"or reduce the {self.measure}"
        )
        return Finding("constraint", text, self.task_id)

    def starts_too_late(self, start: datetime) -> Finding:
        text = (
            f"{self.label} is pinned to start {self.context.when(start)} and needs {self.needs}, but "
            f"{self._unfit()} before {self.context.studio_end()}: pin it earlier, reduce the "
            f"{self.measure} or extend the studio's end"
        )
        return Finding("constraint", text, self.task_id)


def explain_pred_before(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    """A task's dates and one of its dependencies (with its gap) that cannot both be kept."""
    task_id, other = task_id_of(match.group("task")), task_id_of(match.group("other"))
    label, date = context.label(task_id), context.when(match.group("date"))
    edge = "ends" if match.group("edge") == "end" else "starts"
    gap = re.sub(r"\d+\.\d+", lambda number: f"{float(number.group(0)):g}", match.group("gap").strip())
    gap_text = f", and it must wait {gap} after that" if gap else ""
    if match.group("which") == "start":
        pinned = _pinned(context.task(task_id), date, context)
        advice = (
            "move the pinned date or remove the dependency"
            if pinned is not None
            else "remove one of its dependencies (tj3 cannot keep an on-start link together with the others)"
        )
        held = pinned or f"starts {date}, where its other dependencies or its parent's hold it"
        text = (
            f"{label} {held}, but it depends on {context.label(other)}, which {edge} "
            f"{context.when(match.group('limit'))}{gap_text}: {advice}"
        )
    else:
        text = (
            f"{label} ends {date}, but {context.label(other)} depends on it and {edge} "
            f"{context.when(match.group('limit'))}{gap_text}: move one of the pinned dates or remove the "
            "dependency"
        )
    return [Finding("constraint", text, task_id)]


def _pinned(task: TaskSnapshot | None, date: str, context: ProblemContext) -> str | None:
    if task is not None and task.is_milestone and task.schedule_constraint != "none":
        return f"is a milestone pinned to {date}"
    if task is not None and task.schedule_constraint in ("start", "both") and task.start is not None:
        return f"is pinned to start {context.when(task.start)}"
    if task is not None and task.schedule_constraint == "end" and task.end is not None:
        return f"is pinned to end by {context.when(task.end)} and so starts {date}"
    return None


def explain_impossible_dependency(
    match: re.Match[str], group: Group, context: ProblemContext
) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    date = context.when(match.group("date"))
    if match.group("edge") == "end":
        conflict = f"its dependencies let it start only after its pinned end {date}"
    else:
        conflict = f"the tasks that depend on it make it end before its pinned start {date}"
    text = f"{context.label(task_id)} cannot be placed: {conflict}; move the date or remove a dependency"
    return [Finding("constraint", text, task_id)]


def explain_date_outside(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    """A date tj3 refused while reading the plan because it lies outside the studio's dates; what the date
    is comes from the source line tj3 echoed."""
    date = context.when(match.group("date"))
    frame = f"{context.when(match.group('start'))} - {context.when(match.group('end'))}"
    keyword = (group.first.echo or "").split(" ", 1)[0]
    task = context.label(group.task_id) if group.task_id is not None else "A task"
    if keyword in ("start", "end"):
        text = (
            f"{task} is pinned to {keyword} {date}, outside the studio's dates {frame}: move the pinned date "
            "inside them or widen the studio's dates"
        )
        return [Finding("constraint", text, group.task_id)]
    if keyword == "booking":
        resource = tj3.RESOURCE_REF.search(group.first.echo or "")
        resource_id = int(resource.group(1)) if resource else group.resource_id
        who = context.who(resource_id) if resource_id is not None else "Someone"
        text = (
            f"{who} logged time on {task} at {date}, outside the studio's dates {frame}: widen the studio's "
            "dates or correct the time log"
        )
        return [Finding("booking_conflict", text, group.task_id, resource_id)]
    text = f"tj3 refused the date {date} ({group.first.echo}), outside the studio's dates {frame}"
    return [Finding("invalid_input", text, group.task_id, group.resource_id)]


def explain_outside_frame(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    task_id = task_id_of(match.group("task"))
    text = (
        f"{context.label(task_id)} would {match.group('edge')} {context.when(match.group('date'))}, outside "
        f"{context.studio_dates()}: widen the studio's dates or move the task's pinned dates"
    )
    return [Finding("constraint", text, task_id)]


def explain_wrong_direction(match: re.Match[str], group: Group, context: ProblemContext) -> list[Finding]:
    """tj3 plans a task pinned at its end backwards from there, and then cannot honour a dependency on
    another task's start (or, forwards, on an end it precedes)."""
    task_id = group.task_id
    task = context.task(task_id)
    label = context.label(task_id) if task_id is not None else "A task"
    if match.group("edge") == "end":
        text = f"{label} is planned forwards but has a dependency that needs it planned backwards"
        return [Finding("constraint", text, task_id)]
    on_start = [d.depends_on_id for d in task.dependencies if d.target == "onstart"] if task else []
    others = context.labels(on_start) if on_start else "another task"
    whose = "its" if task is not None and task.schedule_constraint == "end" else "its parent's"
    text = (
        f"{label} is planned backwards from {whose} pinned end, but it depends on the start of {others}, "
        "which only a task planned forwards can: pin its start instead, or depend on the end"
    )
    return [Finding("constraint", text, task_id)]
