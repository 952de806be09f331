"""Independent groups of projects, which tj3 may schedule apart and still give the same dates.

tj3 makes one task's dates depend on another's only through a dependency or a resource they both may use
(a task's resources and alternative resources). The catalog refuses dependencies across projects, so two
projects interact only through a user that tasks of both may book. Groups are the connected components of
"shares a user with" (a dependency across projects, should one ever exist, joins them too).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence


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
