"""Graph-wide rules of a batch of task changes, on plain ids (pure, no database).

Per change, the direct mistakes get their own message (a task under its own descendant, depending on
itself, its ancestor or its descendant). Longer loops are found by ONE topological pass over the whole
"waits for" relation of domain/task_graph.py (a task's start waits for its dependencies' ends and its
parent's start; a leaf's end for its start; a container's end for its children's ends): checking each
item of a 10,000-task batch on its own would rebuild that relation for every item.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping
from itertools import pairwise

from stalker_catalog.domain.errors import CycleError
from stalker_catalog.domain.status import (
    DONE,
    TaskStatus,
    container_status,
    status_after_dependency_change,
)
from stalker_catalog.domain.task_graph import ancestors, build_children, topological_order

Parents = Mapping[int, int | None]
Dependencies = Mapping[int, Collection[int]]
Names = Mapping[int, str]


def _label(task_id: int, names: Names) -> str:
    return f"{names.get(task_id, 'task')} (id {task_id})"


def _pairs(task_ids: Iterable[int], names: Names) -> list[tuple[int, str]]:
    return [(task_id, names.get(task_id, "task")) for task_id in task_ids]


def check_parent(task_id: int, parent_id: int | None, parents: Parents, names: Names) -> None:
    """Refuse a task as its own parent or under its own descendant (``parents`` already has the move)."""
    if parent_id is None:
        return
    task = _label(task_id, names)
    if parent_id == task_id:
        cycle = _pairs([task_id, task_id], names)
        raise CycleError(cycle, f"{task} may not be its own parent", "parent_id", kind="hierarchy")
    chain = ancestors(parent_id, parents)
    if task_id in chain:
        down = [task_id, *reversed(chain[: chain.index(task_id)]), parent_id, task_id]
        message = f"{task} may not be moved under its own descendant {_label(parent_id, names)}"
        raise CycleError(_pairs(down, names), message, "parent_id", kind="hierarchy")


def check_dependency(task_id: int, dep_id: int, parents: Parents, names: Names) -> None:
    """Refuse a dependency on the task itself, on one of its ancestors or on one of its descendants."""
    task, dep = _label(task_id, names), _label(dep_id, names)
    if dep_id == task_id:
        raise CycleError(_pairs([task_id, task_id], names), f"{task} may not depend on itself", "depends")
    if dep_id in ancestors(task_id, parents):
        message = f"{task} may not depend on its ancestor {dep}"
        raise CycleError(_pairs([task_id, dep_id, task_id], names), message, "depends")
    if task_id in ancestors(dep_id, parents):
        message = f"{task} may not depend on its descendant {dep}"
        raise CycleError(_pairs([task_id, dep_id, task_id], names), message, "depends")


def find_wait_cycle(parents: Parents, deps: Dependencies) -> list[int] | None:
    """A loop of the "waits for" relation as task ids (first == last, ``A, B`` = A waits for B), or None."""
    children = build_children(parents)
    waits: dict[int, list[int]] = {}
    for task_id, parent_id in parents.items():
        start = [2 * d + 1 for d in deps.get(task_id, ())]
        if parent_id is not None:
            start.append(2 * parent_id)
        waits[2 * task_id] = start
        kids = children.get(task_id)
        waits[2 * task_id + 1] = [2 * kid + 1 for kid in kids] if kids else [2 * task_id]
    try:
        topological_order(waits)
    except CycleError as error:
        tasks: list[int] = []
        for event, _ in error.cycle:
            if not tasks or tasks[-1] != event // 2:
                tasks.append(event // 2)
        return tasks
    return None


def blame(
    cycle: list[int], new_deps: Mapping[int, Collection[int]], new_parents: Mapping[int, int | None]
) -> tuple[int, str]:
    """The changed task (and its field) that closed a loop: one of the loop's edges it added."""
    for waiting, awaited in pairwise(cycle):
        if awaited in new_deps.get(waiting, ()):
            return waiting, "depends"
        if waiting in new_parents and new_parents[waiting] == awaited:
            return waiting, "parent_id"
        if awaited in new_parents and new_parents[awaited] == waiting:
            return awaited, "parent_id"
    return next(t for t in cycle if t in new_deps or t in new_parents), "depends"


def settle_statuses(
    statuses: dict[int, str],
    parents: Parents,
    deps: Dependencies,
    dirty: Iterable[int],
) -> set[int]:
    """Re-evaluate ``dirty`` nodes and whatever follows (parents, and dependents whose dependency became or
    stopped being done); leaves from their dependencies, containers from their children. Updates
    ``statuses`` in place and returns the ids whose status changed."""
    children = build_children(parents)
    dependents: dict[int, list[int]] = {}
    for task_id, on in deps.items():
        for dep_id in on:
            dependents.setdefault(dep_id, []).append(task_id)
    depth = _depths(parents)
    # Deepest first, so a container is looked at after its children settled.
    heap = [(-depth[t], t) for t in set(dirty) if t in statuses]
    heapq.heapify(heap)
    queued = {t for _, t in heap}
    changed: set[int] = set()
    while heap:
        _, task_id = heapq.heappop(heap)
        queued.discard(task_id)
        old = statuses[task_id]
        new = _evaluate(task_id, old, statuses, children, deps)
        if new == old:
            continue
        statuses[task_id] = new
        changed.add(task_id)
        follow = [parents.get(task_id)]
        if (old in DONE) != (new in DONE):
            follow.extend(dependents.get(task_id, ()))
        for other in follow:
            if other is not None and other in statuses and other not in queued:
                queued.add(other)
                heapq.heappush(heap, (-depth[other], other))
    return changed


def _evaluate(
    task_id: int,
    current: str,
    statuses: Mapping[int, str],
    children: Mapping[int, list[int]],
    deps: Dependencies,
) -> str:
    kids = children.get(task_id)
    if kids:
        return container_status(statuses[k] for k in kids).value
    on = [statuses[d] for d in deps.get(task_id, ()) if d in statuses]
    # The catalog keeps no time logs; a task past RTS has been worked on (only a time log moves it on).
    worked = current not in (TaskStatus.WFD, TaskStatus.RTS)
    return status_after_dependency_change(current, on, has_time_logs=worked).value


def _depths(parents: Parents) -> dict[int, int]:
    depth: dict[int, int] = {}
    for start in parents:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in depth and node not in chain:
            chain.append(node)
            node = parents.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
    return depth
