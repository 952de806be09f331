"""Business errors raised by the domain rules; the API maps each kind to one HTTP status."""

from __future__ import annotations

from collections.abc import Sequence

from stalker_shared.errors import Conflict, DomainError, NotFound, ValidationFailed

__all__ = [
    "Conflict",
    "CycleError",
    "CyclePath",
    "DomainError",
    "NotFound",
    "StatusRuleError",
    "StillReferenced",
    "ValidationFailed",
    "format_cycle",
]

CyclePath = Sequence[tuple[int, str]]


class StatusRuleError(Conflict):
    """An action the status workflow does not allow from the current status."""


def format_cycle(cycle: CyclePath) -> str:
    """Render a cycle as ``A (id 3) -> B (id 4) -> A (id 3)``."""
    return " -> ".join(f"{name} (id {task_id})" for task_id, name in cycle)


class CycleError(Conflict):
    """A change that would make the task graph circular; ``cycle`` lists (id, name) pairs, first == last."""

    def __init__(
        self,
        cycle: CyclePath,
        message: str | None = None,
        field: str | None = None,
        kind: str = "dependency",
    ) -> None:
        self.cycle: list[tuple[int, str]] = list(cycle)
        text = f"{kind} cycle: {format_cycle(self.cycle)}"
        super().__init__(
            text if message is None else f"{message}: {text}",
            field,
            cycle=[{"id": task_id, "name": name} for task_id, name in self.cycle],
        )


class StillReferenced(Conflict):
    """Deleting something that others still point at; says which objects, by kind and id."""

    def __init__(self, message: str, references: dict[str, list[int]]) -> None:
        super().__init__(message, referenced_by=references)
