"""Reads of the studio, and the studio calendar that unit conversions and scheduling use (never global
state)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import Studio
from stalker_catalog.domain.calendar import StudioCalendar


def calendar_of(studio: Studio) -> StudioCalendar:
    return StudioCalendar(
        daily_working_hours=studio.daily_working_hours,
        working_hours={day: tuple(tuple(r) for r in ranges) for day, ranges in studio.working_hours.items()},
        timing_resolution=timedelta(minutes=studio.timing_resolution_minutes),
        time_zone=studio.time_zone,
    )


async def studio_calendar(session: AsyncSession) -> StudioCalendar:
    """The calendar of the studio (the first one, if several exist), or the default calendar."""
    studio = await session.scalar(select(Studio).order_by(Studio.id).limit(1))
    return calendar_of(studio) if studio is not None else StudioCalendar()


async def first_studio_id(session: AsyncSession) -> int | None:
    """The id of the studio (the first one, if several exist)."""
    return await session.scalar(select(Studio.id).order_by(Studio.id).limit(1))
