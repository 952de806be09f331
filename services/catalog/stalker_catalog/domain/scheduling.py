"""Scheduling vocabulary (units, models, constraints, dependency targets, allocation) and its parsing."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TypeVar

from stalker_catalog.domain.errors import ValidationFailed

DEFAULT_PRIORITY = 500
MIN_PRIORITY = 0
MAX_PRIORITY = 1000


class TimeUnit(StrEnum):
    """Unit of a timing: minute, hour, day, week, month, year."""

    MINUTE = "min"
    HOUR = "h"
    DAY = "d"
    WEEK = "w"
    MONTH = "m"
    YEAR = "y"


class ScheduleModel(StrEnum):
    """How a timing is read: work the resources do, working days, or calendar time."""

    EFFORT = "effort"
    DURATION = "duration"
    LENGTH = "length"


class ScheduleConstraint(StrEnum):
    """Which of the planned dates the scheduler must keep."""

    NONE = "none"
    START = "start"
    END = "end"
    BOTH = "both"


class DependencyTarget(StrEnum):
    """Whether a dependent waits for the end or only the start of its dependency."""

    ON_END = "onend"
    ON_START = "onstart"


class AllocationStrategy(StrEnum):
    """How the scheduler picks among alternative resources."""

    MIN_ALLOCATED = "minallocated"
    MAX_LOADED = "maxloaded"
    MIN_LOADED = "minloaded"
    ORDER = "order"
    RANDOM = "random"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum_type: type[E], raw: object, field: str) -> E:
    """Accept a member, its value or its name, case-insensitively (``"h"``, ``"H"``, ``"hour"``)."""
    if isinstance(raw, enum_type):
        return raw
    if isinstance(raw, str):
        key = raw.strip().lower()
        for member in enum_type:
            if key in (member.value.lower(), member.name.lower()):
                return member
    allowed = ", ".join(member.value for member in enum_type)
    raise ValidationFailed(f"{field} must be one of {allowed} (got {raw!r})", field=field)


def parse_time_unit(raw: object, field: str = "schedule_unit") -> TimeUnit:
    """Parse a time unit (``min, h, d, w, m, y`` or ``minute`` ... ``year``)."""
    return parse_enum(TimeUnit, raw, field)


def parse_schedule_model(raw: object, field: str = "schedule_model") -> ScheduleModel:
    """Parse a schedule model (``effort, duration, length``)."""
    return parse_enum(ScheduleModel, raw, field)


def parse_schedule_constraint(raw: object, field: str = "schedule_constraint") -> ScheduleConstraint:
    """Parse a constraint by name or by the reference's integer code 0..3 (none, start, end, both)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        members = list(ScheduleConstraint)
        if 0 <= raw < len(members):
            return members[raw]
    return parse_enum(ScheduleConstraint, raw, field)


def parse_dependency_target(raw: object, field: str = "dependency_target") -> DependencyTarget:
    """Parse a dependency target (``onend`` or ``onstart``)."""
    return parse_enum(DependencyTarget, raw, field)


def parse_allocation_strategy(raw: object, field: str = "allocation_strategy") -> AllocationStrategy:
    """Parse an allocation strategy (``minallocated, maxloaded, minloaded, order, random``)."""
    return parse_enum(AllocationStrategy, raw, field)


def clamp_priority(value: int | None) -> int:
    """Default a missing priority to 500 and clamp any other into 0..1000."""
    if value is None:
        return DEFAULT_PRIORITY
    return max(MIN_PRIORITY, min(MAX_PRIORITY, int(value)))


# No timing runs longer than this: one typed in the wrong unit (1e6 years for 1e6 minutes) would push its
# project past the studio's dates and stop every schedule of it until corrected.
MAX_TIMING_YEARS = 10
_UNITS_IN_A_YEAR = {
    TimeUnit.MINUTE: 365 * 24 * 60,
    TimeUnit.HOUR: 365 * 24,
    TimeUnit.DAY: 365,
    TimeUnit.WEEK: 52,
    TimeUnit.MONTH: 12,
    TimeUnit.YEAR: 1,
}


def check_timing_span(timing: float | None, unit: str | None, field: str = "schedule_timing") -> None:
    """Refuse a timing longer than MAX_TIMING_YEARS in its unit (422 naming `field`)."""
    if timing is None or unit is None:
        return
    most = MAX_TIMING_YEARS * _UNITS_IN_A_YEAR[TimeUnit(unit)]
    if timing > most:
        raise ValidationFailed(
            f"{field} {timing:g} {unit} is longer than {MAX_TIMING_YEARS} years: at most {most:g} {unit}",
            field=field,
        )


def validate_timing(value: float, field: str = "schedule_timing") -> float:
    """Check a timing is a finite number that is not negative."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValidationFailed(f"{field} must be a finite number >= 0 (got {value!r})", field=field)
    return float(value)
