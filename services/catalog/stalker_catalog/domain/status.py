"""The task status workflow (dependency and children rules) and the default status catalog."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from stalker_catalog.domain.errors import ValidationFailed


class TaskStatus(StrEnum):
    """Status codes a task moves through."""

    WFD = "WFD"
    RTS = "RTS"
    WIP = "WIP"
    PREV = "PREV"
    HREV = "HREV"
    DREV = "DREV"
    OH = "OH"
    STOP = "STOP"
    CMPL = "CMPL"


DONE = frozenset({TaskStatus.CMPL, TaskStatus.STOP})
DEPENDENCIES_EDITABLE = frozenset({TaskStatus.WFD, TaskStatus.RTS})
_WHEN_DEPENDENCIES_DONE = {TaskStatus.WFD: TaskStatus.RTS, TaskStatus.DREV: TaskStatus.HREV}
_WHEN_DEPENDENCY_OPEN = {
    TaskStatus.RTS: TaskStatus.WFD,
    TaskStatus.WIP: TaskStatus.DREV,
    TaskStatus.HREV: TaskStatus.DREV,
    TaskStatus.CMPL: TaskStatus.DREV,
}


def parse_task_status(code: str, field: str = "status") -> TaskStatus:
    """Parse a task status code, case-insensitively."""
    try:
        return TaskStatus(code.strip().upper())
    except ValueError:
        allowed = ", ".join(TaskStatus)
        raise ValidationFailed(f"{field} must be one of {allowed} (got {code!r})", field=field) from None


def _parse_all(codes: Iterable[str], field: str) -> set[TaskStatus]:
    return {parse_task_status(code, field) for code in codes}


def initial_status(dependency_statuses: Iterable[str]) -> TaskStatus:
    """RTS when there are no dependencies or all are CMPL or STOP, else WFD."""
    statuses = _parse_all(dependency_statuses, "dependency_statuses")
    return TaskStatus.RTS if statuses <= DONE else TaskStatus.WFD


def status_after_dependency_change(
    current: str, dependency_statuses: Iterable[str], *, has_time_logs: bool
) -> TaskStatus:
    """A leaf task's status re-evaluated against its dependencies' statuses."""
    status = parse_task_status(current)
    statuses = _parse_all(dependency_statuses, "dependency_statuses")
    if not statuses:
        if status is TaskStatus.WFD:
            return TaskStatus.RTS
        if status in (TaskStatus.WIP, TaskStatus.DREV):
            return TaskStatus.WIP if has_time_logs else TaskStatus.RTS
        return status
    if statuses <= DONE:
        # The reference sends DREV to HREV (not back to WIP): the revised input must be looked at again.
        return _WHEN_DEPENDENCIES_DONE.get(status, status)
    return _WHEN_DEPENDENCY_OPEN.get(status, status)


def container_status(children_statuses: Iterable[str]) -> TaskStatus:
    """A container's status from the distinct statuses of its children."""
    statuses = _parse_all(children_statuses, "children_statuses")
    if not statuses:
        raise ValidationFailed("a container needs at least one child", field="children_statuses")
    if statuses <= DONE:
        return TaskStatus.CMPL
    if statuses <= {TaskStatus.WFD, TaskStatus.RTS, TaskStatus.STOP}:
        return TaskStatus.RTS if TaskStatus.RTS in statuses else TaskStatus.WFD
    return TaskStatus.WIP


def can_change_dependencies(status: str) -> bool:
    """Dependencies may only change while the task is WFD or RTS."""
    return parse_task_status(status) in DEPENDENCIES_EDITABLE


@dataclass(frozen=True)
class StatusDef:
    """One status of the default catalog."""

    name: str
    code: str


@dataclass(frozen=True)
class StatusListDef:
    """A named list of status codes for one entity type; statuses are shared between lists by code."""

    name: str
    target_entity_type: str
    codes: tuple[str, ...]


DEFAULT_STATUSES: tuple[StatusDef, ...] = (
    StatusDef("New", "NEW"),
    StatusDef("Accepted", "ACP"),
    StatusDef("Assigned", "ASG"),
    StatusDef("Reopened", "ROP"),
    StatusDef("Closed", "CLS"),
    StatusDef("Open", "OPEN"),
    StatusDef("Ready To Start", "RTS"),
    StatusDef("Work In Progress", "WIP"),
    StatusDef("Completed", "CMPL"),
    StatusDef("Waiting For Dependency", "WFD"),
    StatusDef("Pending Review", "PREV"),
    StatusDef("Has Revision", "HREV"),
    StatusDef("Dependency Has Revision", "DREV"),
    StatusDef("On Hold", "OH"),
    StatusDef("Stopped", "STOP"),
    StatusDef("Requested Revision", "RREV"),
    StatusDef("Approved", "APP"),
)

DEFAULT_STATUS_LISTS: tuple[StatusListDef, ...] = (
    StatusListDef("Ticket Statuses", "Ticket", ("NEW", "ACP", "ASG", "ROP", "CLS")),
    StatusListDef("Daily Statuses", "Daily", ("CLS", "OPEN")),
    StatusListDef("Project Statuses", "Project", ("RTS", "WIP", "CMPL")),
    StatusListDef(
        "Task Statuses", "Task", ("RTS", "WIP", "CMPL", "WFD", "PREV", "HREV", "DREV", "OH", "STOP")
    ),
    StatusListDef("Review Statuses", "Review", ("NEW", "RREV", "APP")),
)

STATUS_BY_CODE: Mapping[str, StatusDef] = MappingProxyType({s.code: s for s in DEFAULT_STATUSES})
