"""Independent groups of projects, which tj3 may schedule apart and still give the same dates.

tj3 makes one task's dates depend on another's only through a dependency or a resource they both may use
(a task's resources and alternative resources). The catalog refuses dependencies across projects, so two
projects interact only through a user that tasks of both may book. Groups are the connected components of
"shares a user with" (a dependency across projects, should one ever exist, joins them too).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from stalker_shared.contracts.scheduling import ScheduleRequested, TaskSnapshot


def independent_groups(
    project_ids: Sequence[int], links: Iterable[tuple[int, Hashable]]
) -> list[tuple[int, ...]]:
    """Connected components of `project_ids`, where `links` gives (project, thing) pairs and projects
    linked to one thing (a user, a foreign task) are joined. Groups are ordered by their smallest project
    id, their ids sorted, so the same studio always splits the same way."""
    parent = {project_id: project_id for project_id in project_ids}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    first_project: dict[Hashable, int] = {}
    for project_id, thing in links:
        if project_id not in parent:
            continue
        seen = first_project.setdefault(thing, project_id)
        a, b = root(seen), root(project_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for project_id in sorted(parent):
        groups.setdefault(root(project_id), []).append(project_id)
    return sorted((tuple(ids) for ids in groups.values()), key=lambda ids: ids[0])


def split_request(request: ScheduleRequested) -> list[ScheduleRequested]:
    """The request as one request per independent group of projects (independent_groups above), each
    with only its projects, their tasks and the users those tasks name, numbered `part` of `parts`.

    A user no task of the group names has no booking in it, so leaving it out changes no date. Projects
    without tasks ride with the first group; a studio that does not split is sent whole, as before.
    """
    task_project = {task.id: task.project_id for task in request.tasks}
    links: list[tuple[int, tuple[str, int]]] = []
    for task in request.tasks:
        links += [(task.project_id, ("user", user)) for user in _users_of(task)]
        for dependency in task.dependencies:  # none across projects in the catalog; joined if ever
            other = task_project.get(dependency.depends_on_id, task.project_id)
            if other != task.project_id:
                links += [(task.project_id, ("project", other)), (other, ("project", other))]
    groups = independent_groups([project.id for project in request.projects], links)
    busy = set(task_project.values())
    with_tasks = [set(group) for group in groups if busy.intersection(group)]
    if len(with_tasks) <= 1:
        return [request]
    for group in groups:
        if not busy.intersection(group):
            with_tasks[0].update(group)
    part_of = {project_id: part for part, group in enumerate(with_tasks) for project_id in group}
    tasks: list[list[TaskSnapshot]] = [[] for _ in with_tasks]
    users: list[set[int]] = [set() for _ in with_tasks]
    for task in request.tasks:
        part = part_of[task.project_id]
        tasks[part].append(task)
        users[part].update(_users_of(task))
    return [
        request.model_copy(
            update={
                "part": part,
                "parts": len(with_tasks),
                "projects": tuple(p for p in request.projects if part_of[p.id] == part),
                "tasks": tuple(tasks[part]),
                "resources": tuple(r for r in request.resources if r.id in users[part]),
            }
        )
        for part in range(len(with_tasks))
    ]


def _users_of(task: TaskSnapshot) -> tuple[int, ...]:
    """Every user a task names: resources, alternatives and the users of its bookings (time logs)."""
    return (*task.resources, *task.alternative_resources, *(b.resource_id for b in task.bookings))
