"""The task status workflow as actions on a project's task graph, in memory (reference §3.7, §3.8).

A `Workflow` holds the nodes an action can reach (the task, its ancestors, its transitive dependents and
their parents) and applies one action at a time, recording what changed: statuses (with the status each
task had before), timings, priorities, review rounds and dependency targets. The handler loads the graph,
calls the action and writes `changed()` back in the same transaction.

Where the reference's documentation and code disagree, this follows the code: a time log is accepted on a
PREV task (it stays PREV), a DREV task whose dependencies all finish becomes HREV (not WIP or RTS), and
resuming a task does not re-evaluate its dependents.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from stalker_catalog.domain.calendar import StudioCalendar, least_meaningful_unit, to_seconds
from stalker_catalog.domain.errors import StatusRuleError, ValidationFailed
from stalker_catalog.domain.scheduling import ScheduleModel, TimeUnit
from stalker_catalog.domain.status import (
    TaskStatus,
    container_status,
    status_after_dependency_change,
)

RTS, WIP, PREV, HREV, DREV = TaskStatus.RTS, TaskStatus.WIP, TaskStatus.PREV, TaskStatus.HREV, TaskStatus.DREV
OH, STOP, CMPL = TaskStatus.OH, TaskStatus.STOP, TaskStatus.CMPL
LOGGABLE = (RTS, WIP, PREV, HREV, DREV)
REVIEWABLE = (WIP,)
REVISABLE = (PREV, CMPL)
HOLDABLE = (WIP, DREV, OH)
STOPPABLE = (WIP, DREV, STOP)
RESUMABLE = (OH, STOP)
# A task left in one of these after a review round makes the tasks waiting on it start with it, not
# after it: their dependency on it becomes `onstart`.
_OPEN_AGAIN = frozenset({HREV, PREV, DREV, OH, STOP})
HOLD_PRIORITY = 0


class ReviewVerdict(StrEnum):
    NEW = "NEW"
    APPROVED = "APP"
    REVISION = "RREV"


@dataclass
class Node:
    """One task as the workflow sees it."""

    id: int
    name: str
    parent_id: int | None
    status: TaskStatus
    schedule_timing: float
    schedule_unit: str
    schedule_model: str
    priority: int
    review_number: int
    logged_seconds: float  # the task's total logged seconds as its model counts them (progress.py)
    has_time_logs: bool
    project_id: int = 0
    start: datetime | None = None  # planned: tj3's dates once scheduled, else the ones given
    end: datetime | None = None
    children: list[int] = field(default_factory=list)  # those loaded as nodes
    other_statuses: set[TaskStatus] = field(default_factory=set)  # those of the children not loaded
    depends: dict[int, str] = field(default_factory=dict)  # dependency id -> target (onend, onstart)
    dependents: list[int] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children and not self.other_statuses

    def label(self) -> str:
        return f"{self.name} (id {self.id})"


@dataclass(frozen=True)
class StatusChange:
    task_id: int
    before: TaskStatus
    after: TaskStatus


@dataclass(frozen=True)
class Verdict:
    """A review of the round being finalized: its status and, for a revision, the extra time."""

    status: str
    timing: float = 0.0
    unit: str = "h"


class Workflow:
    def __init__(self, nodes: Mapping[int, Node], calendar: StudioCalendar) -> None:
        self.nodes = dict(nodes)
        self.calendar = calendar
        self._before: dict[int, TaskStatus] = {}
        self._touched: set[int] = set()
        self.retargeted: set[tuple[int, int]] = set()  # (task id, dependency id) switched to onstart

    # ---- the actions -------------------------------------------------------------------------------

    def log_time(self, task_id: int) -> None:
        """A time log on the task (checked and about to be written): RTS and HREV become WIP."""
        node = self._leaf(task_id, "have time logs")
        self._require(node, LOGGABLE, "create time logs for")
        node.has_time_logs = True
        self._touched.add(node.id)  # its logged time changed
        if node.status in (RTS, HREV):
            self._set_status(node, WIP)
        self._roll_up(node)

    def change_logs(self, task_id: int) -> None:
        """A time log of the task is changed or removed (the same statuses as for a new one)."""
        self._require(self._leaf(task_id, "have time logs"), LOGGABLE, "change time logs of")
        self._touched.add(task_id)

    def request_review(self, task_id: int) -> None:
        node = self._leaf(task_id, "be reviewed")
        self._require(node, REVIEWABLE, "request a review of")
        self._set_status(node, PREV)
        self._roll_up(node)

    def check_revisable(self, task_id: int) -> None:
        node = self._leaf(task_id, "be reviewed")
        self._require(node, REVISABLE, "request a revision of")

    def finalize(self, task_id: int, verdicts: Sequence[Verdict]) -> None:
        """A review round is over (no review of it is NEW): approved if every review approves, else sent
        back with the extra time the revisions ask for."""
        node = self._leaf(task_id, "be reviewed")
        logged = node.logged_seconds
        extra = sum(
            to_seconds(v.timing, TimeUnit(v.unit), ScheduleModel.EFFORT, self.calendar)
            for v in verdicts
            if v.status == ReviewVerdict.REVISION
        )
        node.review_number += 1
        self._touched.add(node.id)
        if any(v.status == ReviewVerdict.REVISION for v in verdicts):
            total = logged + extra
            if total > self.schedule_seconds(node):
                self._set_timing(node, total)
            self._set_status(node, HREV)
        else:
            self._set_status(node, CMPL)
            self._set_timing(node, logged)  # clamped to the time actually spent
        self._roll_up(node)
        self._reevaluate_downstream(node)

    def hold(self, task_id: int) -> None:
        node = self._leaf(task_id, "be held")
        self._require(node, HOLDABLE, "put on hold")
        self._set_status(node, OH)
        if node.priority != HOLD_PRIORITY:
            node.priority = HOLD_PRIORITY
            self._touched.add(node.id)
        self._roll_up(node)

    def stop(self, task_id: int) -> None:
        node = self._leaf(task_id, "be stopped")
        self._require(node, STOPPABLE, "stop")
        self._set_status(node, STOP)
        self._set_timing(node, node.logged_seconds)
        self._roll_up(node)
        for dependent in node.dependents:
            self._reevaluate(self.nodes[dependent])

    def resume(self, task_id: int) -> None:
        node = self._leaf(task_id, "be resumed")
        self._require(node, RESUMABLE, "resume")
        self._set_status(node, WIP)
        self._reevaluate(node)
        self._roll_up(node)

    # ---- what changed ------------------------------------------------------------------------------

    def changed(self) -> list[Node]:
        """Every node an action changed (status, timing, priority or review round), by id."""
        return [self.nodes[i] for i in sorted(self._touched)]

    def status_changes(self) -> list[StatusChange]:
        changes = []
        for task_id, before in sorted(self._before.items()):
            after = self.nodes[task_id].status
            if after != before:
                changes.append(StatusChange(task_id, before, after))
        return changes

    def schedule_seconds(self, node: Node) -> float:
        """A leaf's scheduled seconds (the workflow times leaves only)."""
        model = ScheduleModel(node.schedule_model)
        return to_seconds(node.schedule_timing, TimeUnit(node.schedule_unit), model, self.calendar)

    # ---- the rules ---------------------------------------------------------------------------------

    def _leaf(self, task_id: int, doing: str) -> Node:
        node = self.nodes[task_id]
        if not node.is_leaf:
            raise ValidationFailed(
                f"{node.label()} is a container task: only a leaf task can {doing}; use one of its children",
                field="task_id",
                task_id=node.id,
            )
        return node

    def _require(self, node: Node, allowed: Iterable[TaskStatus], doing: str) -> None:
        allowed = tuple(allowed)
        if node.status not in allowed:
            codes = ", ".join(allowed)
            raise StatusRuleError(
                f"{node.label()} is {node.status.value}: cannot {doing} it; it must be {codes}",
                "status",
                task_id=node.id,
                task_status=node.status.value,
                allowed_statuses=[s.value for s in allowed],
            )

    def _set_status(self, node: Node, status: TaskStatus) -> None:
        if node.status is status:
            return
        self._before.setdefault(node.id, node.status)
        node.status = status
        self._touched.add(node.id)

    def _set_timing(self, node: Node, seconds: float) -> None:
        # A duration task's timing is calendar time (the reference writes work-time units here too).
        work_time = ScheduleModel(node.schedule_model) is not ScheduleModel.DURATION
        timing, unit = least_meaningful_unit(seconds, self.calendar, as_work_time=work_time)
        if (timing, unit.value) != (node.schedule_timing, node.schedule_unit):
            node.schedule_timing, node.schedule_unit = timing, unit.value
            self._touched.add(node.id)

    def _reevaluate(self, node: Node) -> None:
        """A leaf's status against its dependencies' (reference §3.8.2), then its parents'."""
        if not node.is_leaf:
            return
        statuses = [self.nodes[d].status.value for d in node.depends]
        after = status_after_dependency_change(node.status, statuses, has_time_logs=node.has_time_logs)
        done = node.logged_seconds >= self.schedule_seconds(node)
        if node.status is DREV and after is HREV and done:
            # Back to a revision with nothing left to do: one resolution step more, so it can be logged.
            resolution = self.calendar.timing_resolution.total_seconds()
            self._set_timing(node, self.schedule_seconds(node) + resolution)
        self._set_status(node, after)
        if statuses:
            self._roll_up(node)

    def _reevaluate_downstream(self, start: Node) -> None:
        """Breadth-first from the task through everything that depends on it, each once."""
        queue, seen = deque([start.id]), {start.id}
        while queue:
            node = self.nodes[queue.popleft()]
            self._reevaluate(node)
            if node.status in _OPEN_AGAIN:
                for dependent in node.dependents:
                    target = self.nodes[dependent].depends
                    if target.get(node.id) != "onstart":
                        target[node.id] = "onstart"
                        self.retargeted.add((dependent, node.id))
            self._roll_up(node)
            for dependent in node.dependents:
                if dependent not in seen:
                    seen.add(dependent)
                    queue.append(dependent)

    def _roll_up(self, node: Node) -> None:
        """Each ancestor's status from its children's (reference §3.8.4)."""
        parent_id = node.parent_id
        while parent_id is not None:
            parent = self.nodes[parent_id]
            statuses = [self.nodes[c].status.value for c in parent.children]
            status = container_status([*statuses, *parent.other_statuses])
            self._set_status(parent, status)
            parent_id = parent.parent_id
