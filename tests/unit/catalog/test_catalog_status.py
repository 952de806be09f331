"""The task status workflow rules and the default status catalog."""

from __future__ import annotations

from collections import Counter

import pytest

from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.status import (
    DEFAULT_STATUS_LISTS,
    DEFAULT_STATUSES,
    STATUS_BY_CODE,
    TaskStatus,
    can_change_dependencies,
    container_status,
    initial_status,
    parse_task_status,
    status_after_dependency_change,
)

ALL = [s.value for s in TaskStatus]


@pytest.mark.parametrize(
    ("dependency_statuses", "expected"),
    [
        ([], "RTS"),
        (["CMPL"], "RTS"),
        (["STOP", "CMPL"], "RTS"),
        (["RTS"], "WFD"),
        (["CMPL", "WIP"], "WFD"),
        (["PREV"], "WFD"),
        (["HREV", "STOP"], "WFD"),
    ],
)
def test_initial_status(dependency_statuses: list[str], expected: str) -> None:
    assert initial_status(dependency_statuses) == expected


def test_initial_status_accepts_any_iterable_and_any_case() -> None:
    assert initial_status(s for s in ("cmpl", "Stop")) is TaskStatus.RTS


@pytest.mark.parametrize(
    ("current", "has_time_logs", "expected"),
    [
        ("WFD", False, "RTS"),
        ("WIP", True, "WIP"),
        ("WIP", False, "RTS"),
        ("DREV", True, "WIP"),
        ("DREV", False, "RTS"),
        ("RTS", False, "RTS"),
        ("PREV", True, "PREV"),
        ("HREV", True, "HREV"),
        ("OH", True, "OH"),
        ("STOP", True, "STOP"),
        ("CMPL", True, "CMPL"),
    ],
)
def test_without_dependencies(current: str, has_time_logs: bool, expected: str) -> None:
    assert status_after_dependency_change(current, [], has_time_logs=has_time_logs) == expected


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("WFD", "RTS"),
        ("DREV", "HREV"),
        ("RTS", "RTS"),
        ("WIP", "WIP"),
        ("PREV", "PREV"),
        ("HREV", "HREV"),
        ("OH", "OH"),
        ("STOP", "STOP"),
        ("CMPL", "CMPL"),
    ],
)
@pytest.mark.parametrize("dependency_statuses", [["CMPL"], ["STOP"], ["CMPL", "STOP"]])
def test_when_all_dependencies_are_done(current: str, expected: str, dependency_statuses: list[str]) -> None:
    assert status_after_dependency_change(current, dependency_statuses, has_time_logs=True) == expected
    assert status_after_dependency_change(current, dependency_statuses, has_time_logs=False) == expected


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("RTS", "WFD"),
        ("WIP", "DREV"),
        ("HREV", "DREV"),
        ("CMPL", "DREV"),
        ("WFD", "WFD"),
        ("PREV", "PREV"),
        ("DREV", "DREV"),
        ("OH", "OH"),
        ("STOP", "STOP"),
    ],
)
@pytest.mark.parametrize("dependency_statuses", [["WIP"], ["CMPL", "HREV"], ["RTS", "STOP"], ["WFD"]])
def test_when_a_dependency_is_open(current: str, expected: str, dependency_statuses: list[str]) -> None:
    assert status_after_dependency_change(current, dependency_statuses, has_time_logs=True) == expected


def test_reference_transition_log_steps() -> None:
    # 17: Previs gets a revision (HREV) while Animation is WIP -> Animation DREV.
    assert status_after_dependency_change("WIP", ["HREV", "CMPL"], has_time_logs=True) == "DREV"
    # 21-22: Previs approved again -> Animation goes to HREV, not back to WIP.
    assert status_after_dependency_change("DREV", ["CMPL", "CMPL"], has_time_logs=True) == "HREV"
    # 25: Animation stopped -> Lighting WFD becomes RTS.
    assert status_after_dependency_change("WFD", ["STOP"], has_time_logs=False) == "RTS"
    # 36: a new task depending on the completed Matchmove starts RTS.
    assert initial_status(["CMPL"]) == "RTS"


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        (["CMPL"], "CMPL"),
        (["STOP"], "CMPL"),
        (["CMPL", "STOP"], "CMPL"),
        (["RTS"], "RTS"),
        (["RTS", "STOP"], "RTS"),
        (["WFD", "RTS"], "RTS"),
        (["WFD", "RTS", "STOP"], "RTS"),
        (["WFD"], "WFD"),
        (["WFD", "STOP"], "WFD"),
        (["WIP"], "WIP"),
        (["PREV", "RTS"], "WIP"),
        (["HREV"], "WIP"),
        (["DREV", "CMPL"], "WIP"),
        (["OH", "STOP"], "WIP"),
        (["CMPL", "WFD"], "WIP"),
        (["CMPL", "RTS"], "WIP"),
        (["CMPL", "RTS", "WFD", "STOP"], "WIP"),
    ],
)
def test_container_status_table(children: list[str], expected: str) -> None:
    assert container_status(children) == expected


def test_container_status_uses_distinct_statuses() -> None:
    # Reference run: SH001 initially (RTS, RTS, WFD, WFD, WFD) and after steps 12-14.
    assert container_status(["RTS", "RTS", "WFD", "WFD", "WFD"]) == "RTS"
    assert container_status(["CMPL", "CMPL", "RTS", "WFD", "WFD"]) == "WIP"


def test_container_without_children_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        container_status([])


@pytest.mark.parametrize("status", ALL)
def test_only_wfd_and_rts_tasks_may_change_dependencies(status: str) -> None:
    assert can_change_dependencies(status) is (status in ("WFD", "RTS"))


@pytest.mark.parametrize("code", ["NEW", "", "done", "APP"])
def test_unknown_task_status_is_refused_naming_the_field(code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_task_status(code, field="status")
    assert caught.value.field == "status"
    assert "WFD, RTS, WIP, PREV, HREV, DREV, OH, STOP, CMPL" in caught.value.message


def test_bad_dependency_status_is_reported_against_its_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        status_after_dependency_change("RTS", ["XYZ"], has_time_logs=False)
    assert caught.value.field == "dependency_statuses"


def test_default_catalog_has_the_reference_17_statuses() -> None:
    assert len(DEFAULT_STATUSES) == 17
    codes = [s.code for s in DEFAULT_STATUSES]
    assert len(set(codes)) == 17
    assert len({s.name for s in DEFAULT_STATUSES}) == 17
    assert STATUS_BY_CODE["NEW"].name == "New"
    assert STATUS_BY_CODE["WFD"].name == "Waiting For Dependency"
    assert STATUS_BY_CODE["DREV"].name == "Dependency Has Revision"
    assert STATUS_BY_CODE["RREV"].name == "Requested Revision"
    assert {s.value for s in TaskStatus} <= set(codes)


def test_default_status_lists_match_the_reference() -> None:
    lists = {sl.target_entity_type: (sl.name, sl.codes) for sl in DEFAULT_STATUS_LISTS}
    assert lists == {
        "Ticket": ("Ticket Statuses", ("NEW", "ACP", "ASG", "ROP", "CLS")),
        "Daily": ("Daily Statuses", ("CLS", "OPEN")),
        "Project": ("Project Statuses", ("RTS", "WIP", "CMPL")),
        "Task": ("Task Statuses", ("RTS", "WIP", "CMPL", "WFD", "PREV", "HREV", "DREV", "OH", "STOP")),
        "Review": ("Review Statuses", ("NEW", "RREV", "APP")),
    }


def test_every_listed_code_is_a_catalog_status_and_shared_ones_are_reused() -> None:
    used = Counter(code for sl in DEFAULT_STATUS_LISTS for code in sl.codes)
    assert set(used) == set(STATUS_BY_CODE)
    assert {code for code, n in used.items() if n > 1} == {"NEW", "CLS", "RTS", "WIP", "CMPL"}
    assert set(next(sl.codes for sl in DEFAULT_STATUS_LISTS if sl.target_entity_type == "Task")) == set(ALL)
