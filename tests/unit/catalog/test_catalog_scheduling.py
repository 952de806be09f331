"""Scheduling enums, their lenient parsing and priority clamping."""

from __future__ import annotations

import math

import pytest

from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.scheduling import (
    AllocationStrategy,
    DependencyTarget,
    ScheduleConstraint,
    ScheduleModel,
    TimeUnit,
    clamp_priority,
    parse_allocation_strategy,
    parse_dependency_target,
    parse_schedule_constraint,
    parse_schedule_model,
    parse_time_unit,
    validate_timing,
)


def test_enum_values_are_the_reference_spellings() -> None:
    assert [u.value for u in TimeUnit] == ["min", "h", "d", "w", "m", "y"]
    assert [m.value for m in ScheduleModel] == ["effort", "duration", "length"]
    assert [c.value for c in ScheduleConstraint] == ["none", "start", "end", "both"]
    assert [t.value for t in DependencyTarget] == ["onend", "onstart"]
    assert [a.value for a in AllocationStrategy] == [
        "minallocated",
        "maxloaded",
        "minloaded",
        "order",
        "random",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("h", TimeUnit.HOUR),
        ("H", TimeUnit.HOUR),
        ("Hour", TimeUnit.HOUR),
        (" hour ", TimeUnit.HOUR),
        (TimeUnit.DAY, TimeUnit.DAY),
        ("d", TimeUnit.DAY),
        ("min", TimeUnit.MINUTE),
        ("MINUTE", TimeUnit.MINUTE),
        ("m", TimeUnit.MONTH),
        ("M", TimeUnit.MONTH),
        ("month", TimeUnit.MONTH),
        ("Y", TimeUnit.YEAR),
    ],
)
def test_time_unit_accepts_member_value_or_name_in_any_case(raw: object, expected: TimeUnit) -> None:
    assert parse_time_unit(raw) is expected


@pytest.mark.parametrize("raw", ["hours", "", "s", 1, None, 3.5])
def test_bad_time_unit_is_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_time_unit(raw, field="gap_unit")
    assert caught.value.field == "gap_unit"
    assert "min, h, d, w, m, y" in caught.value.message


def test_default_fields_of_each_parser() -> None:
    parsers = [
        (parse_time_unit, "schedule_unit"),
        (parse_schedule_model, "schedule_model"),
        (parse_schedule_constraint, "schedule_constraint"),
        (parse_dependency_target, "dependency_target"),
        (parse_allocation_strategy, "allocation_strategy"),
    ]
    for parse, field in parsers:
        with pytest.raises(ValidationFailed) as caught:
            parse("nonsense")
        assert caught.value.field == field


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("effort", ScheduleModel.EFFORT),
        ("Duration", ScheduleModel.DURATION),
        ("LENGTH", ScheduleModel.LENGTH),
    ],
)
def test_schedule_model(raw: str, expected: ScheduleModel) -> None:
    assert parse_schedule_model(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, ScheduleConstraint.NONE),
        (1, ScheduleConstraint.START),
        (2, ScheduleConstraint.END),
        (3, ScheduleConstraint.BOTH),
        ("Both", ScheduleConstraint.BOTH),
        ("none", ScheduleConstraint.NONE),
    ],
)
def test_schedule_constraint_accepts_reference_integer_codes(
    raw: object, expected: ScheduleConstraint
) -> None:
    assert parse_schedule_constraint(raw) is expected


@pytest.mark.parametrize("raw", [4, -1, True, "sometimes"])
def test_bad_schedule_constraint(raw: object) -> None:
    with pytest.raises(ValidationFailed):
        parse_schedule_constraint(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("onend", DependencyTarget.ON_END),
        ("OnStart", DependencyTarget.ON_START),
        ("on_start", DependencyTarget.ON_START),
    ],
)
def test_dependency_target(raw: str, expected: DependencyTarget) -> None:
    assert parse_dependency_target(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("minallocated", AllocationStrategy.MIN_ALLOCATED),
        ("MaxLoaded", AllocationStrategy.MAX_LOADED),
        ("min_loaded", AllocationStrategy.MIN_LOADED),
        ("ORDER", AllocationStrategy.ORDER),
        ("random", AllocationStrategy.RANDOM),
    ],
)
def test_allocation_strategy(raw: str, expected: AllocationStrategy) -> None:
    assert parse_allocation_strategy(raw) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 500), (5000, 1000), (-3, 0), (0, 0), (1000, 1000), (750, 750)]
)
def test_priority_defaults_to_500_and_is_clamped(value: int | None, expected: int) -> None:
    assert clamp_priority(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (10, 10.0), (2.5, 2.5)])
def test_valid_timing(value: float, expected: float) -> None:
    assert validate_timing(value) == expected


@pytest.mark.parametrize("value", [-1, -0.5, math.inf, math.nan, True])
def test_bad_timing_is_refused(value: float) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_timing(value, field="gap_timing")
    assert caught.value.field == "gap_timing"
