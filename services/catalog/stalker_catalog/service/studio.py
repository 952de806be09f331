"""Handlers for the studio: its calendar, time zone and date range; unit conversion with its calendar.

The catalog keeps one studio (the reference allows several but then every one of them overwrites the
process-wide calendar; here a second one is refused). Start, end and a pinned `now` are rounded to the
nearest step of the timing resolution from the epoch, as the reference's DateRangeMixin does. Unlike the
reference, whose default studio lasts one hour (too short for TaskJuggler), a studio without an end
lasts 365 days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from stalker_catalog.db import studio_queries
from stalker_catalog.db.models import Studio
from stalker_catalog.db.repository import get_one
from stalker_catalog.db.studio_queries import calendar_of
from stalker_catalog.domain.calendar import (
    WEEKDAYS,
    StudioCalendar,
    merge_working_hours,
    to_seconds,
    weekly_working_hours,
)
from stalker_catalog.domain.errors import Conflict, ValidationFailed
from stalker_catalog.domain.names import normalize_name
from stalker_catalog.domain.scheduling import parse_schedule_model, parse_time_unit, validate_timing
from stalker_catalog.service.events import touch
from stalker_shared.contracts.catalog import (
    StudioCreated,
    StudioDeleted,
    StudioUpdated,
)
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork

DEFAULT_SPAN = timedelta(days=365)
RawHours = Mapping[str, Sequence[Sequence[int]]]


@dataclass(frozen=True)
class CreateStudio:
    name: str
    description: str = ""
    working_hours: RawHours = field(default_factory=dict)
    daily_working_hours: int = 9
    timing_resolution_minutes: int = 60
    time_zone: str = "UTC"
    start: datetime | None = None
    end: datetime | None = None
    duration: timedelta | None = None
    now: datetime | None = None


def round_to_resolution(value: datetime, minutes: int) -> datetime:
    """The nearest multiple of the resolution counted from the epoch (halves round up), in UTC."""
    step = minutes * 60
    return datetime.fromtimestamp(math.floor(value.timestamp() / step + 0.5) * step, tz=UTC)


def date_range(
    start: datetime, end: datetime | None, duration: timedelta | None, minutes: int
) -> tuple[datetime, datetime]:
    """Start and end from a start and an end or a duration (a year by default), rounded; end after start."""
    if end is not None and duration is not None:
        raise ValidationFailed("give either end or duration, not both", field="duration")
    if duration is not None:
        if duration <= timedelta(0):
            raise ValidationFailed(f"duration must be positive (got {duration})", field="duration")
        end = start + duration
    start = round_to_resolution(start, minutes)
    end = round_to_resolution(end if end is not None else start + DEFAULT_SPAN, minutes)
    if end <= start:
        raise ValidationFailed(
            f"end ({end.isoformat()}) must be after start ({start.isoformat()}) at a "
            f"{minutes} minute resolution",
            field="end",
        )
    return start, end


def checked_calendar(
    working_hours: RawHours, daily_working_hours: int, resolution_minutes: int, time_zone: str
) -> StudioCalendar:
    """Validate the calendar settings; working hours are merged over the default week."""
    return StudioCalendar(
        daily_working_hours=daily_working_hours,
        working_hours=merge_working_hours(working_hours),
        timing_resolution=timedelta(minutes=resolution_minutes),
        time_zone=time_zone,
    )


def _stored_hours(calendar: StudioCalendar) -> dict[str, list[list[int]]]:
    return {day: [list(r) for r in calendar.working_hours[day]] for day in WEEKDAYS}


def figures(studio: Studio) -> dict[str, Any]:
    """Working figures derived from the studio's calendar."""
    calendar = calendar_of(studio)
    return {
        "weekly_working_hours": weekly_working_hours(calendar),
        "weekly_working_days": calendar.weekly_working_days,
        "yearly_working_days": calendar.yearly_working_days,
    }


async def create_studio(uow: UnitOfWork, command: CreateStudio) -> Studio:
    session = uow.session
    existing = await studio_queries.first_studio_id(session)
    if existing is not None:
        raise Conflict(f"the catalog has a studio already (id {existing}); update that one instead")
    calendar = checked_calendar(
        command.working_hours,
        command.daily_working_hours,
        command.timing_resolution_minutes,
        command.time_zone,
    )
    minutes = command.timing_resolution_minutes
    now = round_to_resolution(command.now, minutes) if command.now is not None else None
    start, end = date_range(command.start or now or utcnow(), command.end, command.duration, minutes)
    studio = Studio(
        name=normalize_name(command.name),
        description=command.description,
        working_hours=_stored_hours(calendar),
        daily_working_hours=command.daily_working_hours,
        timing_resolution_minutes=minutes,
        time_zone=calendar.time_zone,
        start=start,
        end=end,
        now=now,
    )
    session.add(studio)
    await session.flush()
    await uow.publish(StudioCreated.model_validate(studio))
    return studio


async def update_studio(uow: UnitOfWork, studio_id: int, changes: dict[str, Any]) -> Studio:
    studio = await get_one(uow.session, Studio, studio_id, for_update=True)
    if "name" in changes:
        studio.name = normalize_name(changes["name"])
    if "description" in changes:
        studio.description = changes["description"]
    minutes = changes.get("timing_resolution_minutes", studio.timing_resolution_minutes)
    calendar = checked_calendar(
        changes.get("working_hours", studio.working_hours),
        changes.get("daily_working_hours", studio.daily_working_hours),
        minutes,
        changes.get("time_zone", studio.time_zone),
    )
    studio.working_hours = _stored_hours(calendar)
    studio.daily_working_hours = calendar.daily_working_hours
    studio.timing_resolution_minutes = minutes
    studio.time_zone = calendar.time_zone
    now = changes.get("now", studio.now)
    studio.now = round_to_resolution(now, minutes) if now is not None else None
    # A new duration keeps the start and moves the end; otherwise the end stays where it was.
    end = changes.get("end", None if "duration" in changes else studio.end)
    studio.start, studio.end = date_range(
        changes.get("start", studio.start), end, changes.get("duration"), minutes
    )
    touch(studio)
    await uow.session.flush()
    await uow.publish(StudioUpdated.model_validate(studio))
    return studio


async def delete_studio(uow: UnitOfWork, studio_id: int) -> None:
    studio = await get_one(uow.session, Studio, studio_id, for_update=True)
    revision = studio.revision
    await uow.session.delete(studio)
    await uow.session.flush()
    await uow.publish(StudioDeleted(id=studio_id, revision=revision + 1))


async def studio_seconds(uow: UnitOfWork, studio_id: int, timing: float, unit: str, model: str) -> float:
    """A timing in seconds by the studio's calendar: working time for effort and length."""
    studio = await get_one(uow.session, Studio, studio_id)
    return to_seconds(
        validate_timing(timing, "timing"),
        parse_time_unit(unit, "unit"),
        parse_schedule_model(model, "model"),
        calendar_of(studio),
    )
