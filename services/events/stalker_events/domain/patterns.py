"""Which recorded events a reader or a webhook asks for, and which project each event belongs to.

Type patterns use AMQP topic syntax (`*` one word, `#` zero or more) over the type without its version.
They are expanded against the known types into an exact list, so the log query is an indexed `IN` and a
pattern that matches nothing is refused: a typo never tails silence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from stalker_shared.contracts import Contract, ContractRegistry, ProjectDeleted
from stalker_shared.contracts.catalog import ProjectState, TaskDeleted
from stalker_shared.errors import ValidationFailed
from stalker_shared.messaging.topology import topic_matches

MAX_PATTERN_LENGTH = 200
MAX_PATTERNS = 20
_PATTERN = re.compile(r"(\*|#|[a-z0-9_-]+)(\.(\*|#|[a-z0-9_-]+))*")


class UnknownPattern(ValidationFailed):
    """A type pattern that is malformed or matches no known event type (422, naming the parameter)."""

    def __init__(self, message: str, field: str = "type", **extensions: Any) -> None:
        super().__init__(message, field=field, **extensions)


def validate_pattern(pattern: str, *, field: str = "type") -> str:
    """The pattern itself when it is 1..200 characters of dot-separated words, each `*`, `#` or a name."""
    if not 1 <= len(pattern) <= MAX_PATTERN_LENGTH or _PATTERN.fullmatch(pattern) is None:
        raise UnknownPattern(
            f"type pattern {pattern[:MAX_PATTERN_LENGTH]!r} must be 1 to {MAX_PATTERN_LENGTH} characters of "
            "dot-separated words, each '*', '#' or lowercase letters, digits, '_' and '-'",
            field=field,
            pattern=pattern[:MAX_PATTERN_LENGTH],
        )
    return pattern


def expand_types(
    patterns: Sequence[str], known: Iterable[str], *, field: str = "type"
) -> tuple[str, ...] | None:
    """The sorted known types any pattern matches; None (no filter) when no pattern is given."""
    if not patterns:
        return None
    if len(patterns) > MAX_PATTERNS:
        raise UnknownPattern(
            f"at most {MAX_PATTERNS} type patterns are allowed (got {len(patterns)})",
            field=field,
            limit=MAX_PATTERNS,
        )
    types = sorted(set(known))
    matched: set[str] = set()
    for pattern in patterns:
        validate_pattern(pattern, field=field)
        hits = [type_ for type_ in types if topic_matches(pattern, type_)]
        if not hits:
            raise UnknownPattern(
                f"type pattern {pattern!r} matches no known event type "
                "(types carry no version, e.g. 'catalog.task.updated' or 'catalog.task.*')",
                field=field,
                pattern=pattern,
            )
        matched.update(hits)
    return tuple(sorted(matched))


def known_types(registry: ContractRegistry) -> tuple[str, ...]:
    """Every type the registry can parse, once however many versions it has, sorted."""
    return tuple(sorted({contract.TYPE for contract in registry.contracts()}))


def project_of(contract: Contract, task_project: Callable[[int], int | None]) -> int | None:
    """The project an event belongs to, for scoping; None is studio-wide (admins only).

    `task_project` is the caller's lookup of a task's project (its mirror), for the events that name a
    task but not its project. Only top-level fields are read: a message that lists several projects (the
    schedule request and its outcomes, one part spanning many projects) is studio-wide, the safe side,
    rather than shown to the members of whichever project happens to come first."""
    if isinstance(contract, ProjectState | ProjectDeleted):
        return contract.id
    fields = type(contract).model_fields
    if "project_id" in fields:
        return _int_field(contract, "project_id")
    task_id = task_of(contract)
    return None if task_id is None else task_project(task_id)


def task_of(contract: Contract) -> int | None:
    """The task whose project `project_of` needs looked up: one the event names without its project."""
    fields = type(contract).model_fields
    if "project_id" in fields or isinstance(contract, ProjectState | ProjectDeleted):
        return None
    if isinstance(contract, TaskDeleted):
        return contract.id
    return _int_field(contract, "task_id") if "task_id" in fields else None


def _int_field(contract: Contract, name: str) -> int | None:
    value = getattr(contract, name, None)
    return value if isinstance(value, int) else None
