"""The studio: calendar, time zone, date range and scheduling state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_shared.types import MAX_DURATION, Duration, Instant, Name, Text, Word

MINUTES_IN_A_DAY = 24 * 60
Minute = Annotated[int, Field(ge=0, le=MINUTES_IN_A_DAY)]
WorkingHours = dict[Word, Annotated[list[Annotated[list[Minute], Field(max_length=2)]], Field(max_length=48)]]
WORKING_HOURS_HELP = (
    'Weekday -> ranges of minutes from local midnight, e.g. {"sat": [[600, 720]]}; days left out keep '
    "the default (Monday to Friday 09:00-18:00, weekend off)"
)
DURATION_HELP = "Instead of `end`: days as a number (365) or an ISO-8601 duration (P365D); end = start + it"
RESOLUTION = Field(
    None,
    ge=1,
    le=60,
    validation_alias=AliasChoices("timing_resolution_minutes", "timing_resolution"),
    description="Minutes; 5 to 60 and dividing an hour (alias: timing_resolution)",
)


def _days(value: object) -> object:
    """A bare number is a count of days (pydantic alone would read it as seconds)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not abs(value) <= MAX_DURATION.days:  # NaN too; timedelta would overflow past 999,999,999
            raise ValueError(f"must be at most {MAX_DURATION.days} days")
        return timedelta(days=value)
    return value


class StudioCreate(Input):
    name: Name
    description: Text = ""
    working_hours: WorkingHours = Field(default_factory=dict, description=WORKING_HOURS_HELP)
    daily_working_hours: int = Field(9, ge=1, le=24)
    timing_resolution_minutes: int | None = RESOLUTION
    time_zone: Word = Field("UTC", description="IANA name")
    start: Instant | None = Field(None, description="Defaults to now (or the pinned `now`)")
    end: Instant | None = Field(None, description="Defaults to start + 365 days")
    duration: Duration | None = Field(None, description=DURATION_HELP)
    now: Instant | None = Field(None, description="Pinned 'now' for scheduling; null: the clock")

    _duration_in_days = field_validator("duration", mode="before")(_days)


class StudioUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    working_hours: WorkingHours | None = Field(None, description=WORKING_HOURS_HELP)
    daily_working_hours: int | None = Field(None, ge=1, le=24)
    timing_resolution_minutes: int | None = RESOLUTION
    time_zone: Word | None = None
    start: Instant | None = None
    end: Instant | None = None
    duration: Duration | None = Field(None, description=DURATION_HELP + "; keeps start, moves end")
    now: Instant | None = Field(None, description="null unpins it")

    _duration_in_days = field_validator("duration", mode="before")(_days)


class StudioRead(Audit):
    id: int
    name: str
    description: str
    working_hours: WorkingHours
    daily_working_hours: int
    timing_resolution_minutes: int
    time_zone: str
    start: datetime
    end: datetime
    duration: float = Field(description="end - start, in days")
    now: datetime | None
    is_scheduling: bool
    is_scheduling_by_id: int | None
    scheduling_started_at: datetime | None
    last_scheduled_at: datetime | None
    last_scheduled_by_id: int | None
    last_schedule_message: str | None
    weekly_working_hours: float
    weekly_working_days: int
    yearly_working_days: int


class Seconds(Output):
    seconds: int | float
    timing: float
    unit: str
    model: str
