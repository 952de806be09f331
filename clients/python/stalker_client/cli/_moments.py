"""Dates and times as people type them for the calendars and what-if runs: a date is that day's start and a
time without an offset is local time, both in the studio's time zone (where its working hours, leave and
holidays are); shown back in that zone too."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from stalker_client._client import Stalker

DATE_OR_TIME = "a date (2025-01-07) or an ISO 8601 time (2025-01-07T09:00, 2025-01-07T09:00Z)"


def studio_zone(client: Stalker, studio_id: int | None = None) -> tzinfo:
    """The studio's time zone (the only studio's when no id is given); UTC without a studio."""
    studio = client.studios.get(studio_id) if studio_id is not None else client.studios.first()
    if studio is None:
        return UTC
    try:
        return ZoneInfo(studio.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC  # a zone this computer does not know: times are shown in UTC, and said so


def zone_name(zone: tzinfo) -> str:
    return "UTC" if zone is UTC else str(zone)


def day_of(raw: str, hint: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not a date like 2025-12-25", param_hint=hint) from None


def moment_of(raw: str, zone: tzinfo, hint: str) -> datetime:
    """A date (its start) or a time; without an offset, in `zone`."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), zone)
        given = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not {DATE_OR_TIME}", param_hint=hint) from None
    return given if given.tzinfo is not None else given.replace(tzinfo=zone)


def local(value: datetime | None, zone: tzinfo) -> str:
    """A time to the minute in the zone; empty for None."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else ""
