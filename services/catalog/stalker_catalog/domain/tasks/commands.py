"""Commands of the task tree and the errors a batch of them collects.

Creating one task, updating one, changing a relation and the bulk routes all go through one planner
(domain/tasks/plan.py): a single write is a batch of one, so every rule holds the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stalker_catalog.domain.errors import CycleError, DomainError, ValidationFailed

KINDS = ("task", "asset", "shot", "sequence", "scene")


@dataclass(frozen=True)
class DependencySpec:
    """A dependency on an existing task (``depends_on_id``) or an item of the batch (``depends_on_ref``)."""

    depends_on_id: int | None = None
    depends_on_ref: str | None = None
    target: str = "onend"
    gap_timing: float = 0.0
    gap_unit: str = "h"
    gap_model: str = "length"


@dataclass(frozen=True)
class NewTask:
    """One node to create. ``fields`` holds what the client sent (column values and relation ids);
    ``depends`` is a tuple of DependencySpec; refs name other items of the same batch."""

    fields: Mapping[str, Any]
    ref: str | None = None
    parent_ref: str | None = None
    sequence_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskChange:
    """Changes to one existing node; ``kind`` (when set) is the kind the route expects."""

    task_id: int
    fields: Mapping[str, Any]
    kind: str | None = None


@dataclass(frozen=True)
class ItemError:
    index: int
    ref: str | None
    error: DomainError

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "index": self.index,
            "status": self.error.http_status,
            "detail": self.error.message,
        }
        if self.ref is not None:
            item["ref"] = self.ref
        if self.error.field:
            item["field"] = self.error.field
        if isinstance(self.error, CycleError):
            item["cycle"] = [{"id": i, "name": n} for i, n in self.error.cycle]
        return item


class BulkRejected(ValidationFailed):
    """A batch with invalid items: nothing was written; ``errors`` lists every item's problem."""

    def __init__(self, errors: list[ItemError]) -> None:
        count = len({e.index for e in errors})
        first = f"items[{errors[0].index}]: {errors[0].error.message}"
        super().__init__(f"{count} item(s) rejected, nothing was written; first: {first}")
        self.extensions = {"errors": [e.as_dict() for e in errors]}


@dataclass
class ErrorLog:
    """Errors of a batch by item; a single write re-raises its one error as it is."""

    errors: list[ItemError] = field(default_factory=list)
    refs: dict[int, str | None] = field(default_factory=dict)
    _failed: set[int] = field(default_factory=set)

    def add(self, index: int, error: DomainError) -> None:
        self.errors.append(ItemError(index, self.refs.get(index), error))
        self._failed.add(index)

    def failed(self, index: int) -> bool:
        return index in self._failed

    def raise_if_any(self, single: bool) -> None:
        if not self.errors:
            return
        if single:
            raise self.errors[0].error
        raise BulkRejected(sorted(self.errors, key=lambda e: e.index))


def provisional_id(index: int) -> int:
    """Items of a batch have negative ids until they are inserted: items[0] is -1, items[1] is -2..."""
    return -(index + 1)


def item_index(provisional: int) -> int:
    return -provisional - 1
