"""Progress figures by schedule model (reference §3.6), with the reference's length bug fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stalker_catalog.domain.calendar import StudioCalendar
from stalker_catalog.domain.progress import NONE, LeafTiming, Progress, leaf_progress, summed_progress

CALENDAR = StudioCalendar()  # 9 h days, Monday to Friday
START = datetime(2025, 1, 6, 9, tzinfo=UTC)


def leaf(model: str, timing: float = 2.0, unit: str = "d", logged: float = 0.0) -> LeafTiming:
    return LeafTiming(timing, unit, model, logged, START, START + timedelta(days=2))


def test_an_effort_task_counts_its_time_logs() -> None:
    figures = leaf_progress(leaf("effort", logged=7200), CALENDAR, START + timedelta(days=30))
    assert (figures.schedule_seconds, figures.total_logged_seconds) == (64800, 7200)
    assert figures.remaining_seconds == 57600 and round(figures.percent_complete, 3) == 11.111


def test_a_duration_task_counts_calendar_time_elapsed_in_its_span() -> None:
    before = leaf_progress(leaf("duration"), CALENDAR, START - timedelta(hours=1))
    during = leaf_progress(leaf("duration"), CALENDAR, START + timedelta(hours=12))
    after = leaf_progress(leaf("duration"), CALENDAR, START + timedelta(days=9))
    assert [p.total_logged_seconds for p in (before, during, after)] == [0, 43200, 172800]
    assert after.schedule_seconds == 172800 and after.percent_complete == 100


def test_a_length_task_counts_the_studios_working_hours_not_nine_seconds_a_day() -> None:
    figures = leaf_progress(leaf("length"), CALENDAR, START + timedelta(days=1, hours=2))
    assert figures.total_logged_seconds == 9 * 3600 + 2 * 3600  # the reference gives 9 + 7200


def test_a_length_task_over_a_weekend_ends_at_its_schedule_not_beyond() -> None:
    """tj3 lays 5 working days from a Wednesday 09:00 to the next Tuesday 18:00."""
    wednesday = datetime(2025, 1, 8, 9, tzinfo=UTC)
    five_days = LeafTiming(5, "d", "length", 0, wednesday, datetime(2025, 1, 14, 18, tzinfo=UTC))
    after = leaf_progress(five_days, CALENDAR, datetime(2025, 2, 1, tzinfo=UTC))
    assert after.total_logged_seconds == after.schedule_seconds == 5 * 9 * 3600


def test_work_beyond_the_schedule_is_not_capped_and_nothing_scheduled_is_zero_percent() -> None:
    assert Progress(3600, 7200).percent_complete == 200
    assert NONE.percent_complete == 0


def test_a_container_sums_its_leaves_by_unit_and_model() -> None:
    timing = {("d", "effort"): 3.0, ("h", "effort"): 4.0, ("d", "duration"): 2.0}
    figures = summed_progress(timing, 7200, [leaf("duration")], CALENDAR, START + timedelta(hours=12))
    assert figures.schedule_seconds == 3 * 32400 + 4 * 3600 + 2 * 86400
    assert figures.total_logged_seconds == 7200 + 43200
