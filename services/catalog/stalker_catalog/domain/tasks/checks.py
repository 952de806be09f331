"""The planner's last two steps: checks over the whole changed graph, then what follows from the changes
(parents that gain children lose their resources, statuses settle) and the final write plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stalker_catalog.domain.errors import CycleError
from stalker_catalog.domain.task_graph import check_new_dependencies, check_parent_change
from stalker_catalog.domain.tasks.draft import Plan
from stalker_catalog.domain.tasks.plan import Planner
from stalker_catalog.domain.tasks.rules import (
    blame,
    check_dependency,
    check_parent,
    find_wait_cycle,
    settle_statuses,
)

# Up to this many moved or re-linked tasks, each change is checked on its own with the domain's
# checks (a search from the change only); beyond, one topological pass over the graph is cheaper.
FEW_CHANGES = 16


def check_graph(planner: Planner) -> None:
    """Hierarchy and dependency loops (each reported once, on the item that closed it), shot codes."""
    # New nodes cannot close a loop through their parent alone (parent_ref loops are refused when they
    # are placed); only dependencies they or others gain and moves of existing nodes can.
    moved = {t: p for t, p in planner.new_parents.items() if t > 0}
    gained = {t: added for t, added in planner.new_deps.items() if added}
    if len(moved) + len(gained) <= FEW_CHANGES:
        _check_each(planner, moved, gained)
    else:
        _check_all(planner, moved, gained)
    planner.check_shot_codes()


def _check_each(planner: Planner, moved: dict[int, int | None], gained: dict[int, set[int]]) -> None:
    deps = {task_id: on.keys() for task_id, on in planner.deps.items()}
    args = (planner.parents, deps, planner.names)
    for task_id, parent_id in moved.items():
        _guard(planner, task_id, check_parent_change, task_id, parent_id, *args)
    on_a_reported_loop: set[int] = set()
    for task_id, added in gained.items():
        if task_id in on_a_reported_loop:
            continue  # a loop that several items of the batch close is reported once, on the first
        error = _guard(planner, task_id, check_new_dependencies, task_id, added, *args)
        if error is not None:
            on_a_reported_loop.update(i for i, _ in error.cycle)


def _guard(planner: Planner, task_id: int, check: Callable[..., None], *args: Any) -> CycleError | None:
    try:
        check(*args)
    except CycleError as error:
        if error.field == "depends_on":
            error.field = "depends"  # the name of the field in this API
        planner.log.add(planner.owner[task_id], error)
        return error
    return None


def _check_all(planner: Planner, moved: dict[int, int | None], gained: dict[int, set[int]]) -> None:
    log, parents, names = planner.log, planner.parents, planner.names
    for task_id, parent_id in moved.items():
        _guard(planner, task_id, check_parent, task_id, parent_id, parents, names)
    for task_id, added in gained.items():
        for dep_id in sorted(added):
            _guard(planner, task_id, check_dependency, task_id, dep_id, parents, names)
    if log.errors:
        return
    cycle = find_wait_cycle(parents, {task_id: on.keys() for task_id, on in planner.deps.items()})
    if cycle is not None:
        culprit, field = blame(cycle, gained, planner.new_parents)
        pairs = [(t, names.get(t, "task")) for t in cycle]
        message = f"{planner.label(culprit)} would close a loop"
        log.add(planner.owner[culprit], CycleError(pairs, message, field))


def finish(planner: Planner) -> Plan:
    """The write plan, once the batch is valid."""
    plan, current = planner.plan, planner.current
    for parent_id in {p for p in planner.new_parents.values() if p is not None}:
        # Adding a child to a task clears the parent's resources (reference §3.4).
        resources = plan.resources.get(parent_id, current.resources.get(parent_id, []))
        if resources:
            plan.resources[parent_id] = []
    deps = {task_id: on.keys() for task_id, on in planner.deps.items()}
    changed = settle_statuses(planner.statuses, planner.parents, deps, planner.dirty)
    for task_id in changed:
        if task_id > 0:
            plan.updates.setdefault(task_id, {})["status"] = planner.statuses[task_id]
    for task_id, row in plan.inserts.items():
        row["status"] = planner.statuses[task_id]
    for links in (plan.resources, plan.alternatives, plan.dependencies, plan.sequences):
        for task_id in links:
            if task_id > 0:
                plan.updates.setdefault(task_id, {})  # relations changed: the row's revision moves on
    return plan
