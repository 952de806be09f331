"""Cycle checks over the task hierarchy and dependencies, on plain ids (no database).

The checks model each task as two events, its start and its end, and the relation "waits for":
a task's start waits for the end of every task it depends on and for its container's start; a leaf's end
waits for its own start; a container's end waits for every child's end. This is how TaskJuggler reads the
tree, so a change is refused exactly when it closes a loop in that relation. Loops through the hierarchy
(a task depending on its ancestor, or on a task that depends on its ancestor) are caught the same way as
plain dependency loops. Cycles are reported as task paths where ``A -> B`` reads "A waits for B".
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping

from stalker_catalog.domain.errors import CycleError

Parents = Mapping[int, int | None]
Dependencies = Mapping[int, Collection[int]]
Names = Mapping[int, str]


def build_children(parents: Parents) -> dict[int, list[int]]:
    """Invert a child -> parent mapping into parent -> sorted children."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    for kids in children.values():
        kids.sort()
    return children


def ancestors(task_id: int, parents: Parents) -> list[int]:
    """Ancestors of a task, nearest first."""
    found: list[int] = []
    seen = {task_id}
    parent = parents.get(task_id)
    while parent is not None and parent not in seen:
        found.append(parent)
        seen.add(parent)
        parent = parents.get(parent)
    return found


def descendants(task_id: int, children_map: Mapping[int, Collection[int]]) -> list[int]:
    """All descendants of a task, breadth-first (parents before their children), without the task."""
    found: list[int] = []
    seen = {task_id}
    queue = deque([task_id])
    while queue:
        for child in children_map.get(queue.popleft(), ()):
            if child not in seen:
                seen.add(child)
                found.append(child)
                queue.append(child)
    return found


def check_parent_change(
    task_id: int, new_parent_id: int | None, parents: Parents, deps: Dependencies, names: Names
) -> None:
    """Refuse a new parent that is the task itself, a descendant, or one that closes a dependency loop."""
    if new_parent_id is None:
        return
    task, parent = _label(task_id, names), _label(new_parent_id, names)
    if new_parent_id == task_id:
        itself = [_pair(task_id, names)] * 2
        raise CycleError(itself, f"{task} may not be its own parent", "parent_id", kind="hierarchy")
    chain = ancestors(new_parent_id, parents)
    if task_id in chain:
        down = [task_id, *reversed(chain[: chain.index(task_id)]), new_parent_id, task_id]
        message = f"{task} may not be moved under its own descendant {parent}"
        raise CycleError(_pairs(down, names), message, "parent_id", kind="hierarchy")
    moved = {**parents, task_id: new_parent_id}
    graph = _WaitGraph(moved, deps)
    # The move adds two edges: the task's start waits for the new parent's start, and the new
    # parent's end waits for the task's end; any new loop runs through one of them.
    path = graph.path([_start(new_parent_id)], _start(task_id))
    if path is not None:
        path = [_start(task_id), *path]
    else:
        path = graph.path([_end(task_id)], _end(new_parent_id))
        path = None if path is None else [_end(new_parent_id), *path]
    if path is not None:
        cycle = _rotate(_collapse(path), task_id)
        raise CycleError(_pairs(cycle, names), f"{task} may not be moved under {parent}", "parent_id")


def check_new_dependencies(
    task_id: int, new_dep_ids: Iterable[int], parents: Parents, deps: Dependencies, names: Names
) -> None:
    """Refuse dependencies on the task itself, its ancestors or descendants, or that close a loop."""
    new = sorted(set(new_dep_ids))
    lineage = ancestors(task_id, parents)
    for dep_id in new:
        _check_direct_dependency(task_id, dep_id, lineage, parents, deps, names)
    merged = {**deps, task_id: set(deps.get(task_id, ())) | set(new)}
    path = _WaitGraph(parents, merged).path([_end(d) for d in new], _start(task_id))
    if path is not None:
        raise CycleError(_pairs(_collapse([_start(task_id), *path]), names), field="depends_on")


def _check_direct_dependency(
    task_id: int, dep_id: int, lineage: list[int], parents: Parents, deps: Dependencies, names: Names
) -> None:
    task, dep = _label(task_id, names), _label(dep_id, names)
    if dep_id == task_id:
        raise CycleError(_pairs([task_id, task_id], names), f"{task} may not depend on itself", "depends_on")
    if dep_id in lineage:
        message = f"{task} may not depend on its ancestor {dep}"
        raise CycleError(_pairs([task_id, dep_id, task_id], names), message, "depends_on")
    if task_id in ancestors(dep_id, parents):
        message = f"{task} may not depend on its descendant {dep}"
        raise CycleError(_pairs([task_id, dep_id, task_id], names), message, "depends_on")
    # The reference's own rule, kept for its clearer message; the general search would catch it too.
    shared = [ancestor_id for ancestor_id in lineage if ancestor_id in deps.get(dep_id, ())]
    if shared:
        message = f"{dep} depends on {_label(shared[0], names)}, an ancestor of {task}"
        raise CycleError(_pairs([task_id, dep_id, shared[0], task_id], names), message, "depends_on")


def topological_order(deps: Dependencies, names: Names | None = None) -> list[int]:
    """Every task id after all of its dependencies (smallest id first among equals); hierarchy ignored."""
    waiting = {task: set(on) for task, on in deps.items()}
    for on in deps.values():
        for dep in on:
            waiting.setdefault(dep, set())
    dependents: dict[int, list[int]] = {}
    for task, on in waiting.items():
        for dep in on:
            dependents.setdefault(dep, []).append(task)
    ready = [task for task, on in waiting.items() if not on]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        task = heapq.heappop(ready)
        order.append(task)
        for dependent in dependents.get(task, ()):
            waiting[dependent].discard(task)
            if not waiting[dependent]:
                heapq.heappush(ready, dependent)
    if len(order) < len(waiting):
        raise CycleError(_pairs(_find_cycle(waiting), names or {}))
    return order


def _find_cycle(waiting: Mapping[int, set[int]]) -> list[int]:
    # Every task still waiting waits for another one still waiting, so walking always closes a loop.
    task = min(task for task, on in waiting.items() if on)
    walk: list[int] = []
    position: dict[int, int] = {}
    while task not in position:
        position[task] = len(walk)
        walk.append(task)
        task = min(waiting[task])
    return [*walk[position[task] :], task]


class _WaitGraph:
    """The "waits for" relation between task start and end events (see the module docstring)."""

    def __init__(self, parents: Parents, deps: Dependencies) -> None:
        self._parents = parents
        self._deps = deps
        self._children = build_children(parents)

    def _waits_for(self, node: int) -> Iterator[int]:
        task = node >> 1
        if node & 1:
            kids = self._children.get(task)
            if kids:
                yield from (_end(kid) for kid in kids)
            else:
                yield _start(task)
            return
        yield from (_end(dep) for dep in self._deps.get(task, ()))
        parent = self._parents.get(task)
        if parent is not None:
            yield _start(parent)

    def path(self, sources: list[int], target: int) -> list[int] | None:
        """Shortest chain of events from any source to target (both included), or None."""
        previous: dict[int, int | None] = dict.fromkeys(sources)
        queue = deque(sources)
        while queue:
            node = queue.popleft()
            if node == target:
                return _unwind(previous, node)
            for after in self._waits_for(node):
                if after not in previous:
                    previous[after] = node
                    queue.append(after)
        return None


def _unwind(previous: Mapping[int, int | None], node: int) -> list[int]:
    path = [node]
    step = previous[node]
    while step is not None:
        path.append(step)
        step = previous[step]
    return path[::-1]


def _start(task_id: int) -> int:
    return task_id << 1


def _end(task_id: int) -> int:
    return (task_id << 1) | 1


def _collapse(events: list[int]) -> list[int]:
    """Task ids of a chain of events, merging a task's start and end when they follow each other."""
    tasks: list[int] = []
    for event in events:
        if not tasks or tasks[-1] != event >> 1:
            tasks.append(event >> 1)
    return tasks


def _rotate(cycle: list[int], first: int) -> list[int]:
    # cycle[0] == cycle[-1]; drop the closing element, turn, and close again on ``first``.
    ring = cycle[:-1]
    turn = ring.index(first) if first in ring else 0
    ring = ring[turn:] + ring[:turn]
    return [*ring, ring[0]]


def _label(task_id: int, names: Names) -> str:
    return f"{names.get(task_id, 'task')} (id {task_id})"


def _pair(task_id: int, names: Names) -> tuple[int, str]:
    return task_id, names.get(task_id, "task")


def _pairs(task_ids: Iterable[int], names: Names) -> list[tuple[int, str]]:
    return [_pair(task_id, names) for task_id in task_ids]
