"""The pure parts of the task planner: loops over the whole graph, statuses settling, column rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stalker_catalog.domain.errors import CycleError, NotFound, ValidationFailed
from stalker_catalog.domain.tasks.commands import DependencySpec
from stalker_catalog.domain.tasks.fields import Known, parse_dependency, resolve_columns
from stalker_catalog.domain.tasks.rules import (
    blame,
    check_dependency,
    check_parent,
    find_wait_cycle,
    settle_statuses,
)

# 1 shot with children 2 (previs), 3 (anim, depends on 2), 4 (comp, depends on 3); 5 stands alone.
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 1, 5: None}
DEPS = {3: [2], 4: [3]}
NAMES = {1: "SH001", 2: "previs", 3: "anim", 4: "comp", 5: "alone"}


def test_no_loop_in_a_plain_tree() -> None:
    assert find_wait_cycle(PARENTS, DEPS) is None


def test_a_dependency_loop_is_found_and_blamed_on_the_new_edge() -> None:
    deps = {**DEPS, 2: [4]}
    cycle = find_wait_cycle(PARENTS, deps)
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {2, 3, 4}
    assert blame(cycle, {2: {4}}, {}) == (2, "depends")


def test_a_loop_through_the_hierarchy_is_found() -> None:
    # 5 depends on comp, and the shot is moved under 5: the shot's start waits for 5's start, which waits
    # for comp's end, which waits for comp's start, which waits for the shot's start.
    parents = {**PARENTS, 1: 5}
    cycle = find_wait_cycle(parents, {**DEPS, 5: [4]})
    assert cycle is not None and {1, 4, 5} <= set(cycle)
    assert blame(cycle, {}, {1: 5}) == (1, "parent_id")


def test_direct_mistakes_have_their_own_messages() -> None:
    with pytest.raises(CycleError, match="may not depend on its ancestor SH001"):
        check_dependency(3, 1, PARENTS, NAMES)
    with pytest.raises(CycleError, match="may not depend on its descendant"):
        check_dependency(1, 4, PARENTS, NAMES)
    with pytest.raises(CycleError, match="may not depend on itself"):
        check_dependency(4, 4, PARENTS, NAMES)
    with pytest.raises(CycleError, match="under its own descendant") as caught:
        check_parent(1, 2, {**PARENTS, 1: 2}, NAMES)
    assert [i for i, _ in caught.value.cycle] == [1, 2, 1]


def test_new_tasks_settle_to_rts_or_wfd_and_containers_follow_their_children() -> None:
    statuses = dict.fromkeys(PARENTS, "WFD")
    changed = settle_statuses(statuses, PARENTS, DEPS, PARENTS)
    assert statuses == {1: "RTS", 2: "RTS", 3: "WFD", 4: "WFD", 5: "RTS"}
    assert changed == {1, 2, 5}


def test_a_dependency_that_is_done_or_open_again_moves_its_dependents() -> None:
    statuses = {1: "WIP", 2: "CMPL", 3: "RTS", 4: "WFD", 5: "RTS"}
    statuses[2] = "WIP"  # what a revision does to previs; anim is re-evaluated from it
    settle_statuses(statuses, PARENTS, DEPS, [3])
    assert statuses[3] == "WFD"
    # the only dependency removed: a WFD task with nothing open left is ready
    settle_statuses(statuses, PARENTS, {4: [3]}, [3])
    assert statuses[3] == "RTS" and statuses[4] == "WFD" and statuses[1] == "WIP"


def test_a_former_container_is_a_leaf_again() -> None:
    statuses = {1: "CMPL", 5: "RTS"}
    settle_statuses(statuses, {1: None, 5: None}, {}, [1])
    assert statuses[1] == "CMPL"  # no dependencies: a completed task stays completed


KNOWN = Known(type_ids=frozenset({7}), image_format_ids=frozenset({3}), user_ids=frozenset({1}))


def test_a_new_shot_is_named_after_its_code_and_its_cuts_drag() -> None:
    values = resolve_columns("shot", None, {"code": "SH010", "cut_in": 12}, KNOWN)
    assert (values["name"], values["cut_in"], values["cut_out"]) == ("SH010", 12, 12)
    changed = resolve_columns("shot", values, {"cut_out": 4}, KNOWN)
    assert (changed["cut_in"], changed["cut_out"]) == (4, 4)


def test_the_bid_follows_the_schedule_only_when_the_task_is_made() -> None:
    values = resolve_columns("task", None, {"name": "T", "schedule_timing": 3, "schedule_unit": "Day"}, KNOWN)
    assert (values["bid_timing"], values["bid_unit"]) == (3.0, "d")
    later = resolve_columns("task", values, {"schedule_timing": 5}, KNOWN)
    assert later["bid_timing"] == 3.0
    reset = resolve_columns("task", later, {"bid_timing": None}, KNOWN)
    assert reset["bid_timing"] == 5.0


def test_nulls_reset_defaults_or_are_refused() -> None:
    values = resolve_columns("task", None, {"name": "T", "priority": 9000}, KNOWN)
    assert values["priority"] == 1000
    assert resolve_columns("task", values, {"priority": None, "description": None}, KNOWN)["priority"] == 500
    with pytest.raises(ValidationFailed, match="schedule_unit may not be null"):
        resolve_columns("task", values, {"schedule_unit": None}, KNOWN)
    with pytest.raises(ValidationFailed, match="code is required"):
        resolve_columns("sequence", None, {"name": "S"}, KNOWN)
    with pytest.raises(NotFound, match="no type with id 8"):
        resolve_columns("asset", None, {"name": "A", "code": "A", "type_id": 8}, KNOWN)
    with pytest.raises(ValidationFailed, match="end"):
        start, end = datetime(2025, 1, 2, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
        resolve_columns("task", None, {"name": "T", "start": start, "end": end}, KNOWN)


def test_dependency_gaps_take_length_or_duration_only() -> None:
    parsed = parse_dependency(
        DependencySpec(depends_on_id=1, target="OnStart", gap_unit="Day", gap_model="Duration")
    )
    assert (parsed.target, parsed.gap_unit, parsed.gap_model) == ("onstart", "d", "duration")
    with pytest.raises(ValidationFailed) as caught:
        parse_dependency(DependencySpec(depends_on_id=1, gap_model="effort"))
    assert caught.value.field == "depends.gap_model"
