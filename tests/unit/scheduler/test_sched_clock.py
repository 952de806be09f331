"""Dates and durations in tj3's terms: grid, offsets, units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stalker_scheduler.tjp.clock import (
    align,
    effective_resolution,
    parse_tj3_time,
    tj3_date,
    tj3_duration,
    tj3_number,
    tj3_zone_name,
)
from stalker_shared.contracts.scheduling import TimeUnit

START = datetime(2014, 1, 1, tzinfo=UTC)
END = datetime(2015, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "requested", "expected"),
    [
        ("UTC", 60, 60),
        ("Europe/Istanbul", 60, 60),
        ("America/New_York", 20, 20),
        ("Asia/Kolkata", 60, 30),
        ("Asia/Kathmandu", 60, 15),
        ("Australia/Lord_Howe", 60, 30),  # +10:30 in winter, +11 in summer
        ("Asia/Kolkata", 20, 10),
    ],
)
def test_resolution_follows_the_zone(zone: str, requested: int, expected: int) -> None:
    assert effective_resolution(requested, ZoneInfo(zone), START, END) == expected


def test_resolution_follows_the_working_hours() -> None:
    assert effective_resolution(60, ZoneInfo("UTC"), START, END, [540, 1080]) == 60
    assert effective_resolution(60, ZoneInfo("UTC"), START, END, [570, 1080]) == 30
    assert effective_resolution(60, ZoneInfo("UTC"), START, END, [545]) == 5


def test_align_moves_starts_down_and_ends_up() -> None:
    value = datetime(2014, 4, 2, 9, 40, 30, tzinfo=UTC)

    assert align(value, 60) == datetime(2014, 4, 2, 9, tzinfo=UTC)
    assert align(value, 60, up=True) == datetime(2014, 4, 2, 10, tzinfo=UTC)
    assert align(value, 15) == datetime(2014, 4, 2, 9, 30, tzinfo=UTC)
    assert align(datetime(2014, 4, 2, 9, tzinfo=UTC), 60, up=True) == datetime(2014, 4, 2, 9, tzinfo=UTC)


def test_dates_carry_the_local_offset() -> None:
    value = datetime(2014, 4, 2, 13, tzinfo=UTC)

    assert tj3_date(value, ZoneInfo("UTC"), 60) == "2014-04-02-13:00-+0000"
    assert tj3_date(value, ZoneInfo("Europe/Istanbul"), 60) == "2014-04-02-16:00-+0300"
    assert tj3_date(value, ZoneInfo("America/New_York"), 60) == "2014-04-02-09:00--0400"
    # tj3 takes offsets up to 12 h only: beyond that the date is written in UTC.
    assert tj3_date(value, ZoneInfo("Pacific/Kiritimati"), 60) == "2014-04-02-13:00-+0000"


def test_report_times_read_back() -> None:
    zone = ZoneInfo("Europe/Istanbul")

    assert parse_tj3_time("2014-04-02-16:00", zone) == datetime(2014, 4, 2, 13, tzinfo=UTC)
    assert parse_tj3_time("2014-04-02-16:00+0530", zone) == datetime(2014, 4, 2, 10, 30, tzinfo=UTC)
    assert parse_tj3_time("2014-04-02-16:00-0400", zone) == datetime(2014, 4, 2, 20, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_tj3_time("2014-04-02-16:00Z", zone)


@pytest.mark.parametrize(
    ("timing", "unit", "expected"),
    [
        (10, "d", "10.0d"),
        (6, "h", "6.0h"),
        (90, "min", "90.0min"),
        (1.5, "w", "1.5w"),
        (2, "m", "2.0m"),  # tj3 converts months and years itself, as the reference lets it
        (0.05, "y", "0.05y"),
        (1 / 3, "d", "0.333333d"),
    ],
)
def test_durations_in_tj3_units(timing: float, unit: TimeUnit, expected: str) -> None:
    assert tj3_duration(timing, unit) == expected


def test_numbers_never_use_exponents() -> None:
    assert tj3_number(1e-5) == "0.00001"
    assert tj3_number(1e7) == "10000000.0"


def test_utc_aliases() -> None:
    assert tj3_zone_name("Etc/UTC") == "UTC"
    assert tj3_zone_name("Europe/Istanbul") == "Europe/Istanbul"
    assert timedelta(0) == (ZoneInfo("Etc/UTC").utcoffset(START) or timedelta(0))
