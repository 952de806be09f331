"""Where the new nodes of a batch go: a provisional id each, the parent (by id or by ref) and the
project, which a child takes from its parent, even when the parent is a later item of the batch."""

from __future__ import annotations

from collections.abc import Sequence

from stalker_catalog.domain.errors import CycleError, DomainError, NotFound, ValidationFailed
from stalker_catalog.domain.status import TaskStatus
from stalker_catalog.domain.tasks.commands import KINDS, NewTask, item_index, provisional_id
from stalker_catalog.domain.tasks.draft import Draft


def place_new_items(draft: Draft, items: Sequence[NewTask]) -> dict[str, int]:
    """Register every new item in the draft's graph; returns ref -> provisional id."""
    log = draft.log
    refs: dict[str, int] = {}
    for index, item in enumerate(items):
        log.refs[index] = item.ref
        draft.owner[provisional_id(index)] = index
        if item.ref is None:
            continue
        if item.ref in refs:
            message = f"ref {item.ref!r} is already used by items[{item_index(refs[item.ref])}]"
            log.add(index, ValidationFailed(message, field="ref"))
        else:
            refs[item.ref] = provisional_id(index)
    for index, item in enumerate(items):
        try:
            _register(draft, index, item, refs)
        except DomainError as error:
            log.add(index, error)
    for index in range(len(items)):
        if log.failed(index):
            continue
        try:
            draft.projects[provisional_id(index)] = _project(draft, index, items)
        except DomainError as error:
            log.add(index, error)
    return refs


def _register(draft: Draft, index: int, item: NewTask, refs: dict[str, int]) -> None:
    task_id, fields = provisional_id(index), item.fields
    kind = fields.get("kind") or "task"
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)} (got {kind!r})", field="kind")
    draft.kinds[task_id] = kind
    draft.names[task_id] = str(fields.get("name") or fields.get("code") or item.ref or kind)
    # The reference starts every task as WFD and re-evaluates it at once (see rules.settle_statuses).
    draft.statuses[task_id] = TaskStatus.WFD.value
    parent_id = fields.get("parent_id")
    if item.parent_ref is not None:
        if parent_id is not None:
            raise ValidationFailed("give parent_id or parent_ref, not both", field="parent_ref")
        if item.parent_ref not in refs:
            message = f"parent_ref: no item of this request has ref {item.parent_ref!r}"
            raise ValidationFailed(message, field="parent_ref")
        parent_id = refs[item.parent_ref]
    elif parent_id is not None and (parent_id < 0 or parent_id not in draft.kinds):
        raise NotFound(f"parent_id: no task with id {parent_id}", field="parent_id")
    draft.parents[task_id] = parent_id


def _project(draft: Draft, index: int, items: Sequence[NewTask]) -> int:
    """The project of the nearest existing ancestor, or the explicit project of the topmost new one."""
    task_id = provisional_id(index)
    chain = [task_id]
    node = task_id
    while node < 0 and draft.parents.get(node) is not None:
        parent = draft.parents[node]
        assert parent is not None
        if parent in chain:
            loop = [*chain[chain.index(parent) :], parent]
            message = f"items[{index}] is among its own ancestors (parent_ref loop)"
            pairs = [(t, draft.names.get(t, "task")) for t in loop]
            raise CycleError(pairs, message, "parent_ref", kind="hierarchy")
        if parent < 0 and draft.log.failed(item_index(parent)):
            raise ValidationFailed(f"parent_ref: items[{item_index(parent)}] is invalid", field="parent_ref")
        chain.append(parent)
        node = parent
    if node >= 0:
        project_id = draft.projects[node]
    else:
        explicit = items[item_index(node)].fields.get("project_id")
        if explicit is None:
            raise ValidationFailed("project_id is required for a task without a parent", field="project_id")
        project_id = int(explicit)
    if project_id not in draft.current.projects:
        raise NotFound(f"project_id: no project with id {project_id}", field="project_id")
    given = items[index].fields.get("project_id")
    if given is not None and given != project_id:
        message = (
            f"project_id {given} differs from project {project_id} of the parent; a child takes its parent's"
        )
        raise ValidationFailed(message, field="project_id")
    return project_id
