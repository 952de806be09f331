"""Cycle checks over the task hierarchy and dependencies (the tutorial's SH001 tree and big graphs)."""

from __future__ import annotations

import time

import pytest

from stalker_catalog.domain.errors import CycleError
from stalker_catalog.domain.task_graph import (
    ancestors,
    build_children,
    check_new_dependencies,
    check_parent_change,
    descendants,
    topological_order,
)

SEQ, SH001, PREVIS, MATCHMOVE, ANIMATION, LIGHTING, COMP, SH002, EDIT, CONFORM = range(32, 42)
NAMES = {
    SEQ: "Sequence 1",
    SH001: "SH001",
    PREVIS: "Previs",
    MATCHMOVE: "Matchmove",
    ANIMATION: "Animation",
    LIGHTING: "Lighting",
    COMP: "comp",
    SH002: "SH002",
    EDIT: "Edit",
    CONFORM: "Conform",
}
PARENTS: dict[int, int | None] = {
    SEQ: None,
    SH001: SEQ,
    PREVIS: SH001,
    MATCHMOVE: SH001,
    ANIMATION: SH001,
    LIGHTING: SH001,
    COMP: SH001,
    SH002: SEQ,
    EDIT: None,
    CONFORM: None,
}
# The tutorial's pipeline: comp -> lighting -> animation -> (previs, matchmove).
DEPS: dict[int, set[int]] = {ANIMATION: {PREVIS, MATCHMOVE}, LIGHTING: {ANIMATION}, COMP: {LIGHTING}}


def add_deps(task_id: int, new: set[int], deps: dict[int, set[int]] | None = None) -> None:
    check_new_dependencies(task_id, new, PARENTS, DEPS if deps is None else deps, NAMES)


def move(task_id: int, parent_id: int | None, deps: dict[int, set[int]] | None = None) -> None:
    check_parent_change(task_id, parent_id, PARENTS, DEPS if deps is None else deps, NAMES)


def test_build_children_ancestors_and_descendants() -> None:
    children = build_children(PARENTS)
    assert children[SH001] == [PREVIS, MATCHMOVE, ANIMATION, LIGHTING, COMP]
    assert children[SEQ] == [SH001, SH002]
    assert ancestors(COMP, PARENTS) == [SH001, SEQ]
    assert ancestors(SEQ, PARENTS) == []
    assert descendants(SEQ, children) == [SH001, SH002, PREVIS, MATCHMOVE, ANIMATION, LIGHTING, COMP]
    assert descendants(COMP, children) == []


@pytest.mark.parametrize(
    ("task", "new"),
    [
        (MATCHMOVE, {PREVIS}),
        (COMP, {PREVIS, MATCHMOVE}),
        (EDIT, {SH001}),
        (EDIT, {COMP, SEQ}),
        (SH002, {SH001}),
        (PREVIS, {EDIT}),
        (COMP, {ANIMATION}),
    ],
)
def test_acceptable_dependencies_pass(task: int, new: set[int]) -> None:
    add_deps(task, new)


def test_self_dependency_is_refused() -> None:
    with pytest.raises(CycleError) as caught:
        add_deps(PREVIS, {PREVIS})
    assert str(caught.value) == (
        "Previs (id 34) may not depend on itself: dependency cycle: Previs (id 34) -> Previs (id 34)"
    )
    assert caught.value.field == "depends_on"


def test_child_may_not_depend_on_its_parent() -> None:
    with pytest.raises(CycleError) as caught:
        add_deps(PREVIS, {SH001})
    assert str(caught.value) == (
        "Previs (id 34) may not depend on its ancestor SH001 (id 33): "
        "dependency cycle: Previs (id 34) -> SH001 (id 33) -> Previs (id 34)"
    )
    assert caught.value.cycle == [(PREVIS, "Previs"), (SH001, "SH001"), (PREVIS, "Previs")]


def test_any_ancestor_counts() -> None:
    with pytest.raises(
        CycleError, match=r"comp \(id 38\) may not depend on its ancestor Sequence 1 \(id 32\)"
    ):
        add_deps(COMP, {SEQ})


def test_container_may_not_depend_on_its_descendant() -> None:
    with pytest.raises(
        CycleError, match=r"^Sequence 1 \(id 32\) may not depend on its descendant comp \(id 38\)"
    ):
        add_deps(SEQ, {COMP})


def test_dependency_on_a_transitive_dependent_names_the_full_cycle() -> None:
    # Reference run 06b: Matchmove depends on comp.
    with pytest.raises(CycleError) as caught:
        add_deps(MATCHMOVE, {COMP})
    assert str(caught.value) == (
        "dependency cycle: Matchmove (id 35) -> comp (id 38) -> Lighting (id 37) -> "
        "Animation (id 36) -> Matchmove (id 35)"
    )
    assert caught.value.http_status == 409


def test_two_task_cycle() -> None:
    with pytest.raises(CycleError) as caught:
        add_deps(LIGHTING, {COMP})
    assert str(caught.value) == "dependency cycle: Lighting (id 37) -> comp (id 38) -> Lighting (id 37)"


def test_dependency_that_depends_on_an_ancestor_is_refused() -> None:
    deps = {**DEPS, EDIT: {SH001}}
    with pytest.raises(CycleError) as caught:
        add_deps(COMP, {EDIT}, deps)
    assert str(caught.value) == (
        "Edit (id 40) depends on SH001 (id 33), an ancestor of comp (id 38): "
        "dependency cycle: comp (id 38) -> Edit (id 40) -> SH001 (id 33) -> comp (id 38)"
    )


def test_dependency_that_transitively_depends_on_an_ancestor_is_refused_too() -> None:
    # The reference only checks the direct case; the loop is just as real one step further.
    deps = {**DEPS, EDIT: {SEQ}, CONFORM: {EDIT}}
    with pytest.raises(CycleError) as caught:
        add_deps(COMP, {CONFORM}, deps)
    assert str(caught.value) == (
        "dependency cycle: comp (id 38) -> Conform (id 41) -> Edit (id 40) -> Sequence 1 (id 32) "
        "-> SH001 (id 33) -> comp (id 38)"
    )


def test_dependency_on_a_container_whose_child_waits_for_the_task_is_refused() -> None:
    deps = {**DEPS, PREVIS: {EDIT}}
    with pytest.raises(CycleError) as caught:
        add_deps(EDIT, {SH001}, deps)
    assert caught.value.cycle == [(EDIT, "Edit"), (SH001, "SH001"), (PREVIS, "Previs"), (EDIT, "Edit")]


def test_one_bad_dependency_among_several_is_refused() -> None:
    with pytest.raises(CycleError):
        add_deps(PREVIS, {EDIT, COMP})


def test_an_existing_unrelated_loop_does_not_hang_the_check() -> None:
    deps = {**DEPS, EDIT: {CONFORM}, CONFORM: {EDIT}}
    add_deps(SH002, {EDIT}, deps)


def test_unknown_names_fall_back_to_a_placeholder() -> None:
    with pytest.raises(CycleError, match=r"^task \(id 900\) may not depend on itself"):
        check_new_dependencies(900, [900], {}, {}, {})


def test_no_parent_and_harmless_moves_pass() -> None:
    move(PREVIS, None)
    move(PREVIS, SH002)
    move(MATCHMOVE, PREVIS)
    move(EDIT, SH001)


def test_task_may_not_be_its_own_parent() -> None:
    with pytest.raises(CycleError) as caught:
        move(PREVIS, PREVIS)
    assert str(caught.value) == (
        "Previs (id 34) may not be its own parent: hierarchy cycle: Previs (id 34) -> Previs (id 34)"
    )
    assert caught.value.field == "parent_id"


def test_task_may_not_move_under_its_descendant() -> None:
    with pytest.raises(CycleError) as caught:
        move(SEQ, COMP)
    assert str(caught.value) == (
        "Sequence 1 (id 32) may not be moved under its own descendant comp (id 38): "
        "hierarchy cycle: Sequence 1 (id 32) -> SH001 (id 33) -> comp (id 38) -> Sequence 1 (id 32)"
    )


def test_task_may_not_move_under_its_transitive_dependency() -> None:
    with pytest.raises(CycleError) as caught:
        move(COMP, ANIMATION)
    assert str(caught.value) == (
        "comp (id 38) may not be moved under Animation (id 36): "
        "dependency cycle: comp (id 38) -> Lighting (id 37) -> Animation (id 36) -> comp (id 38)"
    )


def test_task_may_not_move_under_its_transitive_dependent() -> None:
    with pytest.raises(CycleError) as caught:
        move(PREVIS, COMP)
    assert str(caught.value) == (
        "Previs (id 34) may not be moved under comp (id 38): dependency cycle: "
        "Previs (id 34) -> comp (id 38) -> Lighting (id 37) -> Animation (id 36) -> Previs (id 34)"
    )


def test_moving_out_of_a_container_that_a_new_parent_depends_on_is_fine() -> None:
    # Once comp leaves SH001, Edit waiting for SH001 no longer waits for comp.
    move(COMP, EDIT, {**DEPS, EDIT: {SH001}})


def test_task_may_not_move_under_a_container_that_waits_for_it_through_others() -> None:
    deps = {**DEPS, EDIT: {CONFORM}, CONFORM: {PREVIS}}
    with pytest.raises(CycleError) as caught:
        move(PREVIS, EDIT, deps)
    assert caught.value.cycle == [
        (PREVIS, "Previs"),
        (EDIT, "Edit"),
        (CONFORM, "Conform"),
        (PREVIS, "Previs"),
    ]


def test_task_may_not_move_into_a_container_it_depends_on_through_others() -> None:
    deps = {**DEPS, EDIT: {CONFORM}, CONFORM: {SH002}}
    with pytest.raises(CycleError) as caught:
        move(EDIT, SH002, deps)
    assert str(caught.value) == (
        "Edit (id 40) may not be moved under SH002 (id 39): "
        "dependency cycle: Edit (id 40) -> Conform (id 41) -> SH002 (id 39) -> Edit (id 40)"
    )


def test_topological_order_puts_dependencies_first() -> None:
    assert topological_order(DEPS) == [PREVIS, MATCHMOVE, ANIMATION, LIGHTING, COMP]
    assert topological_order({}) == []
    assert topological_order({5: set(), 3: {5}, 4: set()}) == [4, 5, 3]


def test_topological_order_names_a_cycle() -> None:
    deps = {**DEPS, PREVIS: {COMP}, EDIT: {PREVIS}}
    with pytest.raises(CycleError) as caught:
        topological_order(deps, NAMES)
    assert str(caught.value) == (
        "dependency cycle: Previs (id 34) -> comp (id 38) -> Lighting (id 37) -> Animation (id 36) "
        "-> Previs (id 34)"
    )


def chain(size: int) -> tuple[dict[int, int | None], dict[int, set[int]]]:
    """Tasks 1..size under root 0, each depending on the previous one."""
    parents: dict[int, int | None] = {0: None, **{i: 0 for i in range(1, size + 1)}}
    deps = {i: {i - 1} for i in range(2, size + 1)}
    return parents, deps


def test_large_graphs_are_checked_iteratively_and_fast() -> None:
    size = 20_000
    parents, deps = chain(size)
    started = time.perf_counter()
    with pytest.raises(CycleError) as caught:
        check_new_dependencies(1, [size], parents, deps, {})
    assert len(caught.value.cycle) == size + 1
    check_new_dependencies(size, [1], parents, deps, {})
    with pytest.raises(CycleError):
        check_parent_change(1, size, parents, deps, {})
    assert len(topological_order(deps)) == size
    # Generous bound: the point is linear work, not a benchmark.
    assert time.perf_counter() - started < 5


def test_deep_hierarchy_has_no_recursion_limit() -> None:
    depth = 20_000
    parents: dict[int, int | None] = {0: None, **{i: i - 1 for i in range(1, depth + 1)}}
    assert len(ancestors(depth, parents)) == depth
    assert len(descendants(0, build_children(parents))) == depth
    check_new_dependencies(depth, [depth + 1], {**parents, depth + 1: None}, {}, {})
    with pytest.raises(CycleError, match="may not depend on its ancestor"):
        check_new_dependencies(depth, [0], parents, {}, {})
    with pytest.raises(CycleError, match="its own descendant"):
        check_parent_change(0, depth, parents, {}, {})
