"""The domain error hierarchy and the cycle message format."""

from __future__ import annotations

import pytest

from stalker_catalog.domain.errors import (
    Conflict,
    CycleError,
    DomainError,
    NotFound,
    StatusRuleError,
    ValidationFailed,
    format_cycle,
)


@pytest.mark.parametrize(
    ("error_type", "status"),
    [(ValidationFailed, 422), (Conflict, 409), (NotFound, 404), (StatusRuleError, 409)],
)
def test_each_kind_carries_its_http_status_and_field(error_type: type[DomainError], status: int) -> None:
    error = error_type("something is wrong", field="code")
    assert isinstance(error, DomainError)
    assert error.http_status == status
    assert (error.message, error.field, str(error)) == ("something is wrong", "code", "something is wrong")


def test_field_defaults_to_none() -> None:
    assert NotFound("no project with id 4").field is None


def test_cycle_error_is_a_conflict_and_names_the_whole_cycle() -> None:
    error = CycleError([(3, "A"), (4, "B"), (3, "A")], field="depends_on")
    assert isinstance(error, Conflict)
    assert error.http_status == 409
    assert str(error) == "dependency cycle: A (id 3) -> B (id 4) -> A (id 3)"
    assert error.cycle == [(3, "A"), (4, "B"), (3, "A")]
    assert error.field == "depends_on"


def test_cycle_error_prefixes_an_explanation_and_a_kind() -> None:
    error = CycleError([(5, "X"), (5, "X")], "X (id 5) may not be its own parent", kind="hierarchy")
    assert error.message == "X (id 5) may not be its own parent: hierarchy cycle: X (id 5) -> X (id 5)"


def test_format_cycle() -> None:
    assert format_cycle([(1, "Previs"), (2, "comp")]) == "Previs (id 1) -> comp (id 2)"
