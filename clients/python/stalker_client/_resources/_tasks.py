"""The task tree: tasks and the kinds of node (sequences, shots, assets, scenes), their relations
(dependencies, resources, children, a shot's sequences) and bulk writes."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from stalker_client._catalog_models import BulkResult, Dependency, Task, User
from stalker_client._resources._base import Resource, jsonable
from stalker_client._resources._tjp import render_tjp
from stalker_client._resources._workflow import TaskWorkflow

CATALOG = "/catalog/v1"
DependencyLike = int | Dependency | Mapping[str, Any]


def dependency_body(item: DependencyLike) -> int | dict[str, Any]:
    """A task id, or a dependency with its target (onend, onstart) and gap."""
    if isinstance(item, Dependency):
        return item.model_dump()
    if isinstance(item, Mapping):
        return dict(item)
    return item


def _node_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    body = dict(fields)
    if body.get("depends") is not None:
        body["depends"] = [dependency_body(d) for d in body["depends"]]
    for key in ("resource_ids", "alternative_resource_ids", "sequence_ids"):
        if body.get(key) is not None:
            body[key] = list(body[key])
    return body


class _Nodes(Resource[Task]):
    def update(self, id: int, **changes: Any) -> Task:
        """Change the fields given: name, schedule_timing, schedule_unit, resource_ids, depends..."""
        return super().update(id, **_node_fields(changes))

    def _create_node(self, fields: Mapping[str, Any]) -> Task:
        return self._create(_node_fields(fields))


class Tasks(TaskWorkflow, _Nodes):
    """Every node of the tree, whatever its kind; the relations of any node and the workflow actions live
    here."""

    path = f"{CATALOG}/tasks"
    model = Task

    def create(
        self,
        *,
        name: str,
        parent_id: int | None = None,
        project_id: int | None = None,
        kind: str = "task",
        schedule_timing: float | None = None,
        schedule_unit: str | None = None,
        schedule_model: str | None = None,
        resource_ids: Sequence[int] | None = None,
        depends: Sequence[DependencyLike] | None = None,
        **fields: Any,
    ) -> Task:
        """A task under `parent_id` (its project comes from the parent) or at the top of `project_id`."""
        return self._create_node(
            {
                "name": name,
                "parent_id": parent_id,
                "project_id": project_id,
                "kind": kind,
                "schedule_timing": schedule_timing,
                "schedule_unit": schedule_unit,
                "schedule_model": schedule_model,
                "resource_ids": resource_ids,
                "depends": depends,
                **fields,
            }
        )

    def children(self, task_id: int) -> builtins.list[Task]:
        return self._tasks(self._session.request("GET", f"{self.path}/{task_id}/children"))

    def dependencies(self, task_id: int) -> builtins.list[Dependency]:
        answer = self._session.request("GET", f"{self.path}/{task_id}/dependencies")
        return [Dependency.model_validate(d) for d in answer]

    def set_dependencies(self, task_id: int, depends: Sequence[DependencyLike]) -> builtins.list[Dependency]:
        """Replace what the task depends on (the tutorial's `comp.depends = [lighting]`)."""
        body = {"depends": [dependency_body(d) for d in depends]}
        answer = self._session.request("PUT", f"{self.path}/{task_id}/dependencies", json=body)
        return [Dependency.model_validate(d) for d in answer]

    def add_dependency(
        self, task_id: int, depends_on_id: int, *, target: str = "onend", **gap: Any
    ) -> builtins.list[Dependency]:
        body = {"depends_on_id": depends_on_id, "target": target, **gap}
        answer = self._session.request("POST", f"{self.path}/{task_id}/dependencies", json=body)
        return [Dependency.model_validate(d) for d in answer]

    def remove_dependency(self, task_id: int, depends_on_id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{task_id}/dependencies/{depends_on_id}")

    def resources(self, task_id: int) -> builtins.list[User]:
        return self._users(self._session.request("GET", f"{self.path}/{task_id}/resources"))

    def set_resources(self, task_id: int, user_ids: Sequence[int]) -> builtins.list[User]:
        """Replace who works on the task (the tutorial's `previs.resources = [me]`)."""
        body = {"user_ids": list(user_ids)}
        return self._users(self._session.request("PUT", f"{self.path}/{task_id}/resources", json=body))

    def add_resource(self, task_id: int, user_id: int) -> builtins.list[User]:
        body = {"user_id": user_id}
        return self._users(self._session.request("POST", f"{self.path}/{task_id}/resources", json=body))

    def remove_resource(self, task_id: int, user_id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{task_id}/resources/{user_id}")

    def bulk_create(self, items: Sequence[Mapping[str, Any]]) -> BulkResult:
        """Up to 20,000 nodes in one transaction; items may name each other with `ref`, `parent_ref`,
        `depends_on_refs` and `sequence_refs`."""
        body = {"items": [jsonable(_node_fields(i)) for i in items]}
        return BulkResult.model_validate(self._session.request("POST", f"{self.path}/bulk", json=body))

    def bulk_update(self, items: Sequence[Mapping[str, Any]]) -> BulkResult:
        """Changes to many nodes at once; each item has the node's `id` and the fields to change."""
        body = {"items": [jsonable(_node_fields(i)) for i in items]}
        return BulkResult.model_validate(self._session.request("PATCH", f"{self.path}/bulk", json=body))

    def to_tjp(self, task_id: int, *, studio_id: int | None = None) -> str:
        """The task as TaskJuggler text (the tutorial's `comp.to_tjp`)."""
        return render_tjp(self._session, "task", task_id, studio_id)

    @staticmethod
    def _tasks(answer: Any) -> builtins.list[Task]:
        return [Task.model_validate(t) for t in answer]

    @staticmethod
    def _users(answer: Any) -> builtins.list[User]:
        return [User.model_validate(u) for u in answer]


class Sequences(_Nodes):
    path, model = f"{CATALOG}/sequences", Task

    def create(
        self,
        *,
        name: str,
        code: str,
        project_id: int | None = None,
        parent_id: int | None = None,
        **fields: Any,
    ) -> Task:
        return self._create_node(
            {"name": name, "code": code, "project_id": project_id, "parent_id": parent_id, **fields}
        )


class Scenes(Sequences):
    path = f"{CATALOG}/scenes"


class Shots(_Nodes):
    path, model = f"{CATALOG}/shots", Task

    def create(
        self,
        *,
        code: str,
        project_id: int | None = None,
        name: str | None = None,
        sequence_ids: Sequence[int] = (),
        parent_id: int | None = None,
        cut_in: int | None = None,
        cut_out: int | None = None,
        **fields: Any,
    ) -> Task:
        """A shot, in any number of sequences; named after its code unless given a name."""
        return self._create_node(
            {
                "code": code,
                "project_id": project_id,
                "name": name,
                "sequence_ids": sequence_ids,
                "parent_id": parent_id,
                "cut_in": cut_in,
                "cut_out": cut_out,
                **fields,
            }
        )

    def sequences(self, shot_id: int) -> builtins.list[Task]:
        return [
            Task.model_validate(t) for t in self._session.request("GET", f"{self.path}/{shot_id}/sequences")
        ]

    def set_sequences(self, shot_id: int, sequence_ids: Sequence[int]) -> builtins.list[Task]:
        body = {"sequence_ids": list(sequence_ids)}
        answer = self._session.request("PUT", f"{self.path}/{shot_id}/sequences", json=body)
        return [Task.model_validate(t) for t in answer]


class Assets(_Nodes):
    path, model = f"{CATALOG}/assets", Task

    def create(
        self,
        *,
        name: str,
        code: str,
        type_id: int,
        project_id: int | None = None,
        parent_id: int | None = None,
        **fields: Any,
    ) -> Task:
        return self._create_node(
            {
                "name": name,
                "code": code,
                "type_id": type_id,
                "project_id": project_id,
                "parent_id": parent_id,
                **fields,
            }
        )
