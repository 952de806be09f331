"""The events of the tasks a written plan created, built from the plan instead of read back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stalker_catalog.db.tasks import Task, shot_extra
from stalker_catalog.domain.tasks.commands import DependencySpec
from stalker_catalog.domain.tasks.draft import Plan
from stalker_shared.contracts.catalog import DependencyState, TaskCreated
from stalker_shared.contracts.tracking import TaskStatusChanged

# The event's fields a planned row gives as they are (a new column in both flows through); the rest are
# built below. A new node has no computed dates or resources yet, so those keep the contract's defaults.
_BUILT = frozenset(
    {
        "id",
        "revision",
        "parent_id",
        "resource_ids",
        "alternative_resource_ids",
        "dependencies",
        "sequence_ids",
    }
)
_ROW_STATE = tuple(
    name
    for name in TaskCreated.model_fields
    if name not in _BUILT | {"extra", "computed_start", "computed_end", "computed_resource_ids"}
)


def planned_tasks(plan: Plan, ids: Mapping[int, int]) -> list[TaskCreated]:
    """catalog.task.created for the new nodes of a written plan, by id, without reading them back: a
    batch of 10,000 would otherwise spend most of its time loading ORM objects only to describe them.
    They say what TaskCreated.model_validate(task) of the rows read back says (a test compares the two)."""

    def real(task_id: int) -> int:
        return ids.get(task_id, task_id)

    def created(provisional: int, row: Mapping[str, Any]) -> TaskCreated:
        parent_id = row["parent_id"]
        columns = {name: row[name] for name in _ROW_STATE if name in row}
        return TaskCreated(
            **columns,
            id=ids[provisional],
            revision=1,
            parent_id=None if parent_id is None else real(parent_id),
            resource_ids=[real(i) for i in plan.resources.get(provisional, [])],
            alternative_resource_ids=[real(i) for i in plan.alternatives.get(provisional, [])],
            dependencies=[_dependency(d, real) for d in plan.dependencies.get(provisional, [])],
            sequence_ids=[real(i) for i in plan.sequences.get(provisional, [])],
            extra=shot_extra(row["kind"], row),
        )

    events = [created(provisional, row) for provisional, row in plan.inserts.items()]
    return sorted(events, key=lambda event: event.id)


def _dependency(spec: DependencySpec, real: Callable[[int], int]) -> DependencyState:
    """A planned dependency as events carry it; its target is known by id once the plan is written."""
    depends_on_id = spec.depends_on_id
    if depends_on_id is None:  # resolved from its ref when the plan was made
        raise ValueError(f"dependency on {spec.depends_on_ref!r} has no id")
    return DependencyState(
        depends_on_id=real(depends_on_id),
        target=spec.target,
        gap_timing=spec.gap_timing,
        gap_unit=spec.gap_unit,
        gap_model=spec.gap_model,
    )


def status_changed(task: Task, before: str, action: str) -> TaskStatusChanged:
    """The event of a task's status moved to what it is now: by the workflow's actions
    (service/workflow.py) or by the task tree's own rules (a dependency added or removed, a child
    created, moved or deleted). `task_revision` orders it among the task's other events."""
    return TaskStatusChanged(
        task_id=task.id,
        project_id=task.project_id,
        task_revision=task.revision,
        from_status=before,
        to_status=task.status,
        action=action,
    )
