"""The planner: applies a batch of new nodes and changes to an in-memory copy of the projects' task
graphs, checks every rule, and says what to write. It never touches the database itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from stalker_catalog.domain.errors import Conflict, DomainError, NotFound, StatusRuleError, ValidationFailed
from stalker_catalog.domain.status import can_change_dependencies
from stalker_catalog.domain.tasks.commands import DependencySpec, NewTask, TaskChange, provisional_id
from stalker_catalog.domain.tasks.draft import Draft, Links
from stalker_catalog.domain.tasks.fields import check_users, parse_dependency, resolve_columns
from stalker_catalog.domain.tasks.placement import place_new_items


class Planner(Draft):
    """Applies new nodes and changes to the draft, one item at a time, logging each item's error."""

    # New nodes

    def add_new(self, items: Sequence[NewTask]) -> None:
        refs = place_new_items(self, items)
        for index, item in enumerate(items):
            if not self.log.failed(index):
                self._guard(index, self._new, index, item, refs)

    def _new(self, index: int, item: NewTask, refs: Mapping[str, int]) -> None:
        task_id, fields = provisional_id(index), item.fields
        kind = self.kinds[task_id]
        columns = resolve_columns(kind, None, fields, self.known)
        self.names[task_id], self.codes[task_id] = columns["name"], columns["code"]
        resources = check_users(fields.get("resource_ids") or (), self.known, "resource_ids")
        self.plan.resources[task_id] = [] if columns["is_milestone"] else resources
        alternatives = fields.get("alternative_resource_ids") or ()
        self.plan.alternatives[task_id] = check_users(alternatives, self.known, "alternative_resource_ids")
        if kind == "shot":
            self.coded.add(task_id)
            by_ref = [self._ref(r, refs, "sequence_refs") for r in item.sequence_refs]
            self.plan.sequences[task_id] = self._sequences(task_id, fields.get("sequence_ids") or (), by_ref)
        elif item.sequence_refs:
            raise ValidationFailed(
                f"sequence_refs is only for shots, not for a {kind}", field="sequence_refs"
            )
        self._set_dependencies(task_id, self._dependencies(task_id, fields.get("depends") or (), refs))
        parent_id = self.parents[task_id]
        self.plan.inserts[task_id] = {
            **columns,
            "kind": kind,
            "project_id": self.projects[task_id],
            "parent_id": parent_id,
            "status": self.statuses[task_id],
        }
        self.new_parents[task_id] = parent_id
        self.dirty.update((task_id, parent_id) if parent_id is not None else (task_id,))

    # Changes to existing nodes

    def change(self, changes: Sequence[TaskChange], first_index: int = 0) -> None:
        seen: dict[int, int] = {}
        for index, change in enumerate(changes, start=first_index):
            task_id = change.task_id
            if task_id in seen:
                message = f"task {task_id} is changed by items[{seen[task_id]}] already; merge the two"
                self.log.add(index, ValidationFailed(message, field="id"))
                continue
            seen[task_id] = index
            self._guard(index, self._change, index, change)

    def _change(self, index: int, change: TaskChange) -> None:
        task_id, fields = change.task_id, change.fields
        kind = self.kinds.get(task_id)
        if kind is None or task_id not in self.current.columns or change.kind not in (None, kind):
            raise NotFound(f"no {change.kind or 'task'} with id {task_id}")
        self.owner[task_id] = index
        if fields.get("project_id") not in (None, self.projects[task_id]):
            project = self.projects[task_id]
            message = f"{self.label(task_id)} is in project {project}; tasks do not move between projects"
            raise ValidationFailed(message, field="project_id")
        before = self.current.columns[task_id]
        columns = resolve_columns(kind, before, fields, self.known)
        update = {k: v for k, v in columns.items() if v != before[k]}
        self.names[task_id] = columns["name"]
        if "code" in update and kind == "shot":
            self.codes[task_id] = columns["code"]
            self.coded.add(task_id)
        if "parent_id" in fields and fields["parent_id"] != self.parents[task_id]:
            update["parent_id"] = self._move(task_id, fields["parent_id"])
        self._change_links(task_id, fields, columns["is_milestone"])
        if "depends" in fields:
            self._change_dependencies(task_id, fields["depends"] or ())
        if update:
            self.plan.updates[task_id] = update

    def _move(self, task_id: int, parent_id: int | None) -> int | None:
        if parent_id is not None:
            self._existing(parent_id, "parent_id")
            self._same_project(task_id, parent_id, "parent_id")
        old = self.parents[task_id]
        self.parents[task_id] = self.new_parents[task_id] = parent_id
        self.dirty.update(p for p in (old, parent_id) if p is not None)
        return parent_id

    def _change_links(self, task_id: int, fields: Mapping[str, Any], is_milestone: bool) -> None:
        current = self.current
        resources = current.resources.get(task_id, [])
        if "resource_ids" in fields:
            resources = check_users(fields["resource_ids"] or (), self.known, "resource_ids")
        if is_milestone:
            resources = []
        _replace(self.plan.resources, task_id, resources, current.resources.get(task_id, []))
        if "alternative_resource_ids" in fields:
            wanted = check_users(
                fields["alternative_resource_ids"] or (), self.known, "alternative_resource_ids"
            )
            _replace(self.plan.alternatives, task_id, wanted, current.alternatives.get(task_id, []))
        if "sequence_ids" in fields:
            wanted = self._sequences(task_id, fields["sequence_ids"] or ())
            _replace(self.plan.sequences, task_id, wanted, current.sequences.get(task_id, []))

    def _change_dependencies(self, task_id: int, specs: Iterable[Any]) -> None:
        wanted = self._dependencies(task_id, specs, {})
        if wanted == self.deps.get(task_id, {}):
            return
        status = self.statuses[task_id]
        if not can_change_dependencies(status):
            message = (
                f"{self.label(task_id)} is {status}: dependencies may only change while a task is WFD or RTS"
            )
            raise StatusRuleError(message, field="depends")
        self._set_dependencies(task_id, wanted)
        self.dirty.add(task_id)

    # Shared checks

    def _guard(self, index: int, step: Callable[..., object], *args: Any) -> None:
        try:
            step(*args)
        except DomainError as error:
            self.log.add(index, error)

    def _existing(self, task_id: int, field_name: str, kind: str = "task") -> None:
        # Negative ids are the batch's own items: clients name those by ref only.
        if task_id < 0 or task_id not in self.kinds or kind not in ("task", self.kinds[task_id]):
            raise NotFound(f"{field_name}: no {kind} with id {task_id}", field=field_name)

    def _ref(self, ref: str, refs: Mapping[str, int], field_name: str) -> int:
        if ref not in refs:
            raise ValidationFailed(f"{field_name}: no item of this request has ref {ref!r}", field=field_name)
        return refs[ref]

    def _same_project(self, task_id: int, other_id: int, field_name: str) -> None:
        mine, theirs = self.projects.get(task_id), self.projects.get(other_id)
        if mine is not None and theirs is not None and mine != theirs:
            message = f"{field_name}: {self.label(other_id)} is in project {theirs}, not in project {mine}"
            raise ValidationFailed(message, field=field_name)

    def _sequences(self, shot_id: int, ids: Iterable[int], from_refs: Iterable[int] = ()) -> list[int]:
        for sequence_id in ids:
            self._existing(sequence_id, "sequence_ids", "sequence")
        for sequence_id in from_refs:
            if self.kinds.get(sequence_id) != "sequence":
                message = f"sequence_refs: {self.label(sequence_id)} is not a sequence"
                raise ValidationFailed(message, field="sequence_refs")
        found = list(dict.fromkeys([*ids, *from_refs]))
        for sequence_id in found:
            self._same_project(shot_id, sequence_id, "sequence_ids")
        return sorted(found)

    def _dependencies(
        self, task_id: int, specs: Iterable[Any], refs: Mapping[str, int]
    ) -> dict[int, DependencySpec]:
        found: dict[int, DependencySpec] = {}
        for raw in specs:
            spec = parse_dependency(raw if isinstance(raw, DependencySpec) else DependencySpec(raw))
            if spec.depends_on_ref is not None:
                if spec.depends_on_id is not None:
                    raise ValidationFailed(
                        "a dependency has depends_on_id or depends_on_ref, not both", "depends"
                    )
                dep_id = self._ref(spec.depends_on_ref, refs, "depends")
            elif spec.depends_on_id is None:
                raise ValidationFailed("a dependency needs depends_on_id or depends_on_ref", field="depends")
            else:
                dep_id = spec.depends_on_id
                self._existing(dep_id, "depends")
            self._same_project(task_id, dep_id, "depends")
            found[dep_id] = replace(spec, depends_on_id=dep_id, depends_on_ref=None)
        return found

    def _set_dependencies(self, task_id: int, wanted: dict[int, DependencySpec]) -> None:
        before = self.deps.get(task_id, {})
        self.deps[task_id] = wanted
        self.new_deps[task_id] = set(wanted) - set(before)
        self.plan.dependencies[task_id] = [wanted[d] for d in sorted(wanted)]

    def check_shot_codes(self) -> None:
        holders: dict[tuple[int, str], list[int]] = {}
        for task_id, kind in self.kinds.items():
            code = self.codes.get(task_id)
            if kind == "shot" and code is not None:
                holders.setdefault((self.projects[task_id], code), []).append(task_id)
        for task_id in sorted(self.coded, key=abs):
            project, code = self.projects[task_id], self.codes[task_id]
            # The first item of the batch to take a code keeps it; the others are reported.
            others = [
                o
                for o in holders.get((project, code or ""), [])
                if o != task_id and (o not in self.coded or self.owner[o] < self.owner[task_id])
            ]
            if others:
                message = f"code {code!r} is already used by {self.label(others[0])} in project {project}"
                self.log.add(self.owner[task_id], Conflict(message, field="code"))


def _replace(target: Links, task_id: int, wanted: list[int], current: list[int]) -> None:
    if sorted(wanted) != sorted(current):
        target[task_id] = wanted
