"""The studio calendar and the timing conversions that depend on it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from stalker_catalog.domain.calendar import (
    StudioCalendar,
    least_meaningful_unit,
    seconds_per_unit,
    to_seconds,
    weekly_working_hours,
)
from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.scheduling import ScheduleModel, TimeUnit

DEFAULT = StudioCalendar()
EIGHT_HOUR_DAY = {day: ((8 * 60, 16 * 60),) for day in ("mon", "tue", "wed", "thu", "fri")}
EIGHT_HOURS = StudioCalendar(daily_working_hours=8, working_hours=EIGHT_HOUR_DAY)


def test_defaults_match_the_reference() -> None:
    assert DEFAULT.daily_working_hours == 9
    assert dict(DEFAULT.working_hours) == {
        "mon": ((540, 1080),),
        "tue": ((540, 1080),),
        "wed": ((540, 1080),),
        "thu": ((540, 1080),),
        "fri": ((540, 1080),),
        "sat": (),
        "sun": (),
    }
    assert DEFAULT.weekly_working_days == 5
    assert DEFAULT.yearly_working_days == 261
    assert weekly_working_hours(DEFAULT) == 45.0
    assert DEFAULT.timing_resolution == timedelta(hours=1)
    assert DEFAULT.time_zone == "UTC"


def test_partial_working_hours_are_merged_over_the_defaults() -> None:
    calendar = StudioCalendar(working_hours={"sat": ((600, 720), (780, 900))})
    assert calendar.working_hours["sat"] == ((600, 720), (780, 900))
    assert calendar.working_hours["mon"] == ((540, 1080),)
    assert calendar.weekly_working_days == 6
    assert calendar.yearly_working_days == 313
    assert weekly_working_hours(calendar) == 49.0


def test_a_day_can_be_switched_off_and_ranges_are_sorted() -> None:
    calendar = StudioCalendar(working_hours={"Fri": (), "mon": ((780, 1080), (540, 720))})
    assert calendar.working_hours["fri"] == ()
    assert calendar.working_hours["mon"] == ((540, 720), (780, 1080))
    assert calendar.weekly_working_days == 4
    assert calendar.yearly_working_days == 209


def test_calendar_is_immutable_and_comparable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.daily_working_hours = 8  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEFAULT.working_hours["sat"] = ((0, 60),)  # type: ignore[index]
    assert StudioCalendar() == DEFAULT
    assert hash(StudioCalendar()) == hash(DEFAULT)
    assert EIGHT_HOURS != DEFAULT


def test_time_zone_is_an_iana_name() -> None:
    calendar = StudioCalendar(time_zone="Europe/Istanbul")
    assert calendar.tzinfo.key == "Europe/Istanbul"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"daily_working_hours": 0}, "daily_working_hours"),
        ({"daily_working_hours": 25}, "daily_working_hours"),
        ({"daily_working_hours": True}, "daily_working_hours"),
        ({"daily_working_hours": 8.5}, "daily_working_hours"),
        ({"working_hours": {"mon": ((600, 540),)}}, "working_hours"),
        ({"working_hours": {"mon": ((540, 540),)}}, "working_hours"),
        ({"working_hours": {"mon": ((-1, 540),)}}, "working_hours"),
        ({"working_hours": {"mon": ((540, 1441),)}}, "working_hours"),
        ({"working_hours": {"mon": ((540,),)}}, "working_hours"),
        ({"working_hours": {"mon": ((540.0, 600),)}}, "working_hours"),
        ({"working_hours": {"mon": ((540, 720), (700, 800))}}, "working_hours"),
        ({"working_hours": {"monday": ((540, 720),)}}, "working_hours"),
        ({"working_hours": {d: () for d in ("mon", "tue", "wed", "thu", "fri")}}, "working_hours"),
        ({"timing_resolution": timedelta(0)}, "timing_resolution"),
        ({"timing_resolution": timedelta(minutes=1)}, "timing_resolution"),
        ({"timing_resolution": timedelta(hours=2)}, "timing_resolution"),
        ({"timing_resolution": timedelta(minutes=7)}, "timing_resolution"),
        ({"timing_resolution": timedelta(minutes=10, seconds=30)}, "timing_resolution"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"time_zone": "../etc/passwd"}, "time_zone"),
    ],
)
def test_invalid_calendars_are_refused_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        StudioCalendar(**kwargs)
    assert caught.value.field == field


def test_whole_day_and_touching_ranges_are_fine() -> None:
    calendar = StudioCalendar(
        working_hours={"sun": ((0, 720), (720, 1440))}, timing_resolution=timedelta(minutes=15)
    )
    assert weekly_working_hours(calendar) == 45.0 + 24.0


@pytest.mark.parametrize(
    ("unit", "work", "calendar_time"),
    [
        (TimeUnit.MINUTE, 60, 60),
        (TimeUnit.HOUR, 3600, 3600),
        (TimeUnit.DAY, 32400, 86400),
        (TimeUnit.WEEK, 162000, 604800),
        (TimeUnit.MONTH, 648000, 2419200),
        (TimeUnit.YEAR, 8456400, 31536000),
    ],
)
def test_to_seconds_table_with_the_default_calendar(unit: TimeUnit, work: int, calendar_time: int) -> None:
    assert to_seconds(1, unit, ScheduleModel.EFFORT, DEFAULT) == work
    assert to_seconds(1, unit, ScheduleModel.LENGTH, DEFAULT) == work
    assert to_seconds(1, unit, ScheduleModel.DURATION, DEFAULT) == calendar_time


@pytest.mark.parametrize(
    ("unit", "work"),
    [
        (TimeUnit.DAY, 28800),
        (TimeUnit.WEEK, 144000),
        (TimeUnit.MONTH, 576000),
        (TimeUnit.YEAR, 261 * 28800),
    ],
)
def test_to_seconds_follows_the_calendar_passed_in(unit: TimeUnit, work: int) -> None:
    assert to_seconds(1, unit, ScheduleModel.EFFORT, EIGHT_HOURS) == work
    # The default calendar is untouched: nothing global changed.
    assert to_seconds(1, TimeUnit.DAY, ScheduleModel.EFFORT, DEFAULT) == 32400


def test_to_seconds_scales_with_the_timing() -> None:
    assert to_seconds(10, TimeUnit.DAY, ScheduleModel.EFFORT, DEFAULT) == 324000
    assert to_seconds(2.5, TimeUnit.HOUR, ScheduleModel.DURATION, DEFAULT) == 9000
    assert to_seconds(0, TimeUnit.WEEK, ScheduleModel.LENGTH, DEFAULT) == 0


def test_seconds_per_unit() -> None:
    assert seconds_per_unit(TimeUnit.WEEK, EIGHT_HOURS, work_time=True) == 144000
    assert seconds_per_unit(TimeUnit.WEEK, EIGHT_HOURS, work_time=False) == 604800


@pytest.mark.parametrize(
    ("seconds", "as_work_time", "expected"),
    [
        (32400, True, (1.0, TimeUnit.DAY)),
        (162000, True, (1.0, TimeUnit.WEEK)),
        (36000, True, (10.0, TimeUnit.HOUR)),
        (5400, True, (90.0, TimeUnit.MINUTE)),
        (86400, False, (1.0, TimeUnit.DAY)),
        (8456400, True, (1.0, TimeUnit.YEAR)),
        (648000, True, (1.0, TimeUnit.MONTH)),
        (324000, True, (2.0, TimeUnit.WEEK)),
        (18000, True, (5.0, TimeUnit.HOUR)),
        (25200, True, (7.0, TimeUnit.HOUR)),
        (5430.9, True, (90.0, TimeUnit.MINUTE)),
        (604800, False, (1.0, TimeUnit.WEEK)),
        (86400, True, (24.0, TimeUnit.HOUR)),
        (0, True, (0.0, TimeUnit.HOUR)),
    ],
)
def test_least_meaningful_unit(seconds: float, as_work_time: bool, expected: tuple[float, TimeUnit]) -> None:
    assert least_meaningful_unit(seconds, DEFAULT, as_work_time=as_work_time) == expected


def test_least_meaningful_unit_uses_the_calendar() -> None:
    assert least_meaningful_unit(28800, EIGHT_HOURS) == (1.0, TimeUnit.DAY)
    assert least_meaningful_unit(28800, DEFAULT) == (8.0, TimeUnit.HOUR)


def test_least_meaningful_unit_round_trips_with_to_seconds() -> None:
    for seconds in (60, 3600, 32400, 162000, 648000, 8456400, 9 * 3600 * 3):
        timing, unit = least_meaningful_unit(seconds, DEFAULT)
        assert to_seconds(timing, unit, ScheduleModel.EFFORT, DEFAULT) == seconds


@pytest.mark.parametrize("seconds", [-1, float("inf"), float("nan")])
def test_least_meaningful_unit_refuses_nonsense(seconds: float) -> None:
    with pytest.raises(ValidationFailed):
        least_meaningful_unit(seconds, DEFAULT)
