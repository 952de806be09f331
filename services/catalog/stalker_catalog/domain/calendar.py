"""The studio's working calendar and the conversions between timings and seconds that depend on it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stalker_catalog.domain.errors import ValidationFailed
from stalker_catalog.domain.scheduling import ScheduleModel, TimeUnit

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
WEEKS_PER_YEAR = 52.1428
MIN_RESOLUTION = timedelta(minutes=5)
MAX_RESOLUTION = timedelta(hours=1)

TimeRange = tuple[int, int]
DayHours = tuple[TimeRange, ...]

DEFAULT_DAY: DayHours = ((9 * 60, 18 * 60),)
_CALENDAR_SECONDS = {
    TimeUnit.MINUTE: 60,
    TimeUnit.HOUR: 3600,
    TimeUnit.DAY: 86400,
    TimeUnit.WEEK: 7 * 86400,
    TimeUnit.MONTH: 28 * 86400,
    TimeUnit.YEAR: 365 * 86400,
}
_LARGEST_FIRST = (TimeUnit.YEAR, TimeUnit.MONTH, TimeUnit.WEEK, TimeUnit.DAY, TimeUnit.HOUR)


def default_working_hours() -> dict[str, DayHours]:
    """Monday to Friday 09:00-18:00, weekend off."""
    return {day: DEFAULT_DAY if day in WEEKDAYS[:5] else () for day in WEEKDAYS}


@dataclass(frozen=True)
class StudioCalendar:
    """Working time of a studio; ``working_hours`` may be partial and is merged over the defaults."""

    daily_working_hours: int = 9
    working_hours: Mapping[str, DayHours] = field(default_factory=dict, hash=False)
    timing_resolution: timedelta = MAX_RESOLUTION
    time_zone: str = "UTC"

    def __post_init__(self) -> None:
        _check_daily_hours(self.daily_working_hours)
        merged = merge_working_hours(self.working_hours)
        object.__setattr__(self, "working_hours", MappingProxyType(merged))
        _check_resolution(self.timing_resolution)
        _check_time_zone(self.time_zone)

    @property
    def weekly_working_days(self) -> int:
        """Number of weekdays that have at least one working range."""
        return sum(1 for day in WEEKDAYS if self.working_hours[day])

    @property
    def yearly_working_days(self) -> int:
        """Working days in a year: ``ceil(weekly_working_days * 52.1428)``."""
        return math.ceil(self.weekly_working_days * WEEKS_PER_YEAR)

    @property
    def tzinfo(self) -> ZoneInfo:
        """The studio's time zone, in which the working hours are read."""
        return ZoneInfo(self.time_zone)


def merge_working_hours(partial: Mapping[str, Sequence[Sequence[int]]]) -> dict[str, DayHours]:
    """Validate a partial weekday -> ranges mapping and lay it over the default week."""
    return _lay_over(default_working_hours(), partial)


def _lay_over(week: dict[str, DayHours], days: Mapping[str, Sequence[Sequence[int]]]) -> dict[str, DayHours]:
    """`week` with each given day checked and put in; at least one working day in the end."""
    for key, ranges in days.items():
        day = key.lower() if isinstance(key, str) else key
        if day not in WEEKDAYS:
            raise ValidationFailed(
                f"working_hours has unknown day {key!r}; use one of {', '.join(WEEKDAYS)}",
                field="working_hours",
            )
        week[day] = _check_day(day, ranges)
    if not any(week.values()):
        raise ValidationFailed("working_hours must have at least one working day", field="working_hours")
    return week


def _check_day(day: str, ranges: Sequence[Sequence[int]]) -> DayHours:
    checked: list[TimeRange] = []
    for item in ranges:
        if len(item) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in item):
            raise ValidationFailed(
                f"working_hours[{day}] ranges must be (start_minute, end_minute) integer pairs, got {item!r}",
                field="working_hours",
            )
        start, end = item
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValidationFailed(
                f"working_hours[{day}] range {start}-{end} must satisfy 0 <= start < end <= 1440",
                field="working_hours",
            )
        checked.append((start, end))
    checked.sort()
    # Overlapping ranges would count the same minutes twice in the weekly figures.
    for (_, previous_end), (start, _) in pairwise(checked):
        if start < previous_end:
            raise ValidationFailed(f"working_hours[{day}] ranges overlap", field="working_hours")
    return tuple(checked)


def _check_daily_hours(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24:
        raise ValidationFailed(
            f"daily_working_hours must be an integer from 1 to 24 (got {value!r})",
            field="daily_working_hours",
        )


def _check_resolution(value: timedelta) -> None:
    # TaskJuggler accepts 5 minutes to 1 hour; slots must tile an hour so bookings align.
    minutes, remainder = divmod(value.total_seconds(), 60)
    if not MIN_RESOLUTION <= value <= MAX_RESOLUTION or remainder or 60 % int(minutes):
        raise ValidationFailed(
            f"timing_resolution must be a whole number of minutes from 5 to 60 that divides an hour "
            f"(got {value})",
            field="timing_resolution",
        )


def _check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationFailed(f"unknown IANA time zone {name!r}", field="time_zone") from exc


def weekly_working_hours(calendar: StudioCalendar) -> float:
    """Sum of all working ranges of the week, in hours."""
    minutes = sum(end - start for day in WEEKDAYS for start, end in calendar.working_hours[day])
    return minutes / 60


def seconds_per_unit(unit: TimeUnit, calendar: StudioCalendar, *, work_time: bool) -> int:
    """Seconds in one ``unit``, counted as working time or as calendar time."""
    if not work_time:
        return _CALENDAR_SECONDS[unit]
    day = calendar.daily_working_hours * 3600
    week = calendar.weekly_working_days * day
    work = {
        TimeUnit.MINUTE: 60,
        TimeUnit.HOUR: 3600,
        TimeUnit.DAY: day,
        TimeUnit.WEEK: week,
        TimeUnit.MONTH: 4 * week,
        TimeUnit.YEAR: calendar.yearly_working_days * day,
    }
    return work[unit]


def to_seconds(timing: float, unit: TimeUnit, model: ScheduleModel, calendar: StudioCalendar) -> float:
    """Seconds of a timing: working time for effort and length, calendar time for duration."""
    work_time = model is not ScheduleModel.DURATION
    return timing * seconds_per_unit(unit, calendar, work_time=work_time)


def least_meaningful_unit(
    seconds: float, calendar: StudioCalendar, as_work_time: bool = True
) -> tuple[float, TimeUnit]:
    """Largest of y, m, w, d, h that divides ``seconds`` exactly, else whole minutes (truncated)."""
    if seconds < 0 or not math.isfinite(seconds):
        raise ValidationFailed(f"seconds must be a finite number >= 0 (got {seconds!r})")
    if seconds == 0:
        # Zero divides by every unit; "0 h" reads better than the "0 y" the rule would give.
        return 0.0, TimeUnit.HOUR
    for unit in _LARGEST_FIRST:
        size = seconds_per_unit(unit, calendar, work_time=as_work_time)
        if seconds % size == 0:
            return seconds / size, unit
    return float(seconds // 60), TimeUnit.MINUTE


MAX_LEAVE = timedelta(days=366)


def check_leave(start: datetime, end: datetime) -> None:
    """A vacation's span: ordered, at most a year long."""
    if end <= start:
        raise ValidationFailed("end must be after start", field="end")
    if end - start > MAX_LEAVE:
        raise ValidationFailed(
            f"a vacation lasts at most {MAX_LEAVE.days} days; enter longer leave in parts", field="end"
        )


def person_week(hours: Mapping[str, Sequence[Sequence[int]]]) -> dict[str, DayHours]:
    """A person's own week, validated: every day given is checked, a day left out is off."""
    return _lay_over({day: () for day in WEEKDAYS}, hours)
