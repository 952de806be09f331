"""The in-memory copy of the projects' task graphs a batch edits, and the write plan it fills.

The planner (plan.py) and the placement of new nodes (placement.py) both work on a Draft; keeping the
state here lets each import it without importing the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stalker_catalog.domain.tasks.commands import DependencySpec, ErrorLog, item_index
from stalker_catalog.domain.tasks.fields import Known

Links = dict[int, list[int]]


@dataclass(slots=True)
class Node:
    project_id: int
    parent_id: int | None
    kind: str
    name: str
    code: str | None
    status: str
    revision: int


@dataclass
class Snapshot:
    """The task graphs of some projects: nodes and, per task, its dependencies by depends_on id."""

    nodes: dict[int, Node] = field(default_factory=dict)
    deps: dict[int, dict[int, DependencySpec]] = field(default_factory=dict)


@dataclass
class Plan:
    """Rows to insert (by provisional id), columns to change (``{}``: only relations changed), and link
    sets to replace, all keyed by task id (negative for new nodes)."""

    inserts: dict[int, dict[str, Any]] = field(default_factory=dict)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    resources: Links = field(default_factory=dict)
    alternatives: Links = field(default_factory=dict)
    dependencies: dict[int, list[DependencySpec]] = field(default_factory=dict)
    sequences: Links = field(default_factory=dict)


@dataclass
class Current:
    """What the database holds for the rows a batch changes."""

    columns: dict[int, dict[str, Any]]
    resources: Links
    alternatives: Links
    sequences: Links
    projects: set[int]


class Draft:
    """The task graphs as the batch changes them (negative ids are its new nodes), what the database
    holds for the changed rows, the errors so far, and the plan being filled."""

    def __init__(self, snapshot: Snapshot, known: Known, current: Current, log: ErrorLog) -> None:
        nodes = snapshot.nodes
        self.known, self.current, self.log = known, current, log
        self.parents: dict[int, int | None] = {t: n.parent_id for t, n in nodes.items()}
        self.projects = {t: n.project_id for t, n in nodes.items()}
        self.kinds = {t: n.kind for t, n in nodes.items()}
        self.names = {t: n.name for t, n in nodes.items()}
        self.codes = {t: n.code for t, n in nodes.items()}
        self.statuses = {t: n.status for t, n in nodes.items()}
        self.deps = snapshot.deps
        self.owner: dict[int, int] = {}  # task id -> index of the item that changes it
        self.new_parents: dict[int, int | None] = {}
        self.new_deps: dict[int, set[int]] = {}  # dependencies each changed task gained
        self.dirty: set[int] = set()  # tasks whose status must be looked at again
        self.coded: set[int] = set()  # shots with a new code
        self.plan = Plan()

    def label(self, task_id: int) -> str:
        where = f"items[{item_index(task_id)}]" if task_id < 0 else f"id {task_id}"
        return f"{self.kinds.get(task_id, 'task')} {self.names.get(task_id, '?')!r} ({where})"
