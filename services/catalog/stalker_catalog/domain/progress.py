"""Progress figures of tasks and projects (reference §3.6), from what the task rows hold.

A leaf's logged seconds depend on its model: an effort task counts its time logs (the sum the time log
handlers keep on the task row); duration and length tasks count the time elapsed since their start (none
before it, all of it after their end). A container sums its children. The reference counts a length
task's elapsed days as 9 seconds each (days x daily working hours, without the 3600); here the studio's
working hours in the span count, each day at most the studio's working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from stalker_catalog.domain.calendar import WEEKDAYS, StudioCalendar, to_seconds
from stalker_catalog.domain.scheduling import ScheduleModel, TimeUnit


@dataclass(frozen=True)
class LeafTiming:
    """What a leaf's figures are computed from."""

    schedule_timing: float
    schedule_unit: str
    schedule_model: str
    logged_seconds: float  # the sum of its time logs
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Progress:
    schedule_seconds: float
    total_logged_seconds: float

    @property
    def remaining_seconds(self) -> float:
        return self.schedule_seconds - self.total_logged_seconds

    @property
    def percent_complete(self) -> float:
        """Not capped: work logged beyond the schedule shows as more than 100."""
        if self.schedule_seconds <= 0:
            return 0.0
        return self.total_logged_seconds / self.schedule_seconds * 100

    def __add__(self, other: Progress) -> Progress:
        return Progress(
            self.schedule_seconds + other.schedule_seconds,
            self.total_logged_seconds + other.total_logged_seconds,
        )


NONE = Progress(0.0, 0.0)


def leaf_progress(leaf: LeafTiming, calendar: StudioCalendar, now: datetime) -> Progress:
    model = ScheduleModel(leaf.schedule_model)
    scheduled = to_seconds(leaf.schedule_timing, TimeUnit(leaf.schedule_unit), model, calendar)
    return Progress(scheduled, leaf_logged_seconds(leaf, calendar, now))


def leaf_logged_seconds(leaf: LeafTiming, calendar: StudioCalendar, now: datetime) -> float:
    model = ScheduleModel(leaf.schedule_model)
    if model is ScheduleModel.EFFORT:
        return leaf.logged_seconds
    if leaf.start is None or leaf.end is None or now <= leaf.start:
        return 0.0
    stop = min(now, leaf.end)
    if model is ScheduleModel.DURATION:
        return (stop - leaf.start).total_seconds()
    return _working_days_elapsed(leaf.start, stop, calendar)


def _working_days_elapsed(start: datetime, stop: datetime, calendar: StudioCalendar) -> float:
    """A length task's time so far: the studio's working hours in its span, each day at most a working
    day (tj3 lays a length task on working time only)."""
    zone, day = calendar.tzinfo, calendar.daily_working_hours * 3600
    first, last = start.astimezone(zone), stop.astimezone(zone)
    total, current = 0.0, first.date()
    while current <= last.date():
        midnight = datetime.combine(current, time(), zone)
        worked = 0.0
        for begin, end in calendar.working_hours[WEEKDAYS[current.weekday()]]:
            low = max(first, midnight + timedelta(minutes=begin))
            high = min(last, midnight + timedelta(minutes=end))
            worked += max((high - low).total_seconds(), 0.0)
        total += min(worked, day)
        current += timedelta(days=1)
    return total


def summed_progress(
    timing: Mapping[tuple[str, str], float],
    effort_logged: float,
    timed_leaves: Iterable[LeafTiming],
    calendar: StudioCalendar,
    now: datetime,
) -> Progress:
    """A container's figures from its leaves summed: timings per (unit, model), the effort leaves' logged
    seconds, and the duration and length leaves (whose logged time is the time elapsed)."""
    scheduled = sum(
        to_seconds(total, TimeUnit(unit), ScheduleModel(model), calendar)
        for (unit, model), total in timing.items()
    )
    logged = effort_logged + sum(leaf_logged_seconds(leaf, calendar, now) for leaf in timed_leaves)
    return Progress(scheduled, logged)
