"""The log-time form read in the studio's zone, across clock changes."""

from __future__ import annotations

from datetime import UTC

import pytest

from stalker_web.pages.my_work import LogForm, TimeFormError, parse_log

ALL_DAY = {day: [[0, 1440]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.mark.parametrize("day", ["2026-03-08", "2026-11-01"])  # New York's clocks go forward, then back
def test_hours_on_a_day_are_elapsed_hours_across_a_clock_change(day: str) -> None:
    begin, end = parse_log(LogForm(day=day, hours="8"), "America/New_York", ALL_DAY)

    assert (end.astimezone(UTC) - begin.astimezone(UTC)).total_seconds() == 8 * 3600
    assert begin.isoformat().startswith(f"{day}T00:00")


def test_a_wall_clock_time_the_clocks_skip_is_refused_naming_the_field() -> None:
    form = LogForm(start="2026-03-08T02:30", end="2026-03-08T04:00")

    with pytest.raises(TimeFormError) as refused:
        parse_log(form, "America/New_York", ALL_DAY)

    assert refused.value.field == "start" and "does not exist" in refused.value.message


def test_times_typed_with_an_offset_keep_it() -> None:
    begin, end = parse_log(
        LogForm(start="2026-03-08T02:30-05:00", end="2026-03-08T04:00-04:00"), "America/New_York", ALL_DAY
    )

    assert (end.astimezone(UTC) - begin.astimezone(UTC)).total_seconds() == 30 * 60
