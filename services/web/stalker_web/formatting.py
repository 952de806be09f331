"""Template filters: times in the studio's zone, durations in hours and days as people say them."""

from __future__ import annotations

import contextlib
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def when(value: str | None, zone: str | None = None, with_time: bool = True) -> str:
    """An ISO 8601 time from the API as `2014-04-02 16:00`, in `zone` (the studio's) when given."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if zone and moment.tzinfo is not None:
        with contextlib.suppress(ZoneInfoNotFoundError):
            moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def hours(seconds: float | None) -> str:
    """Seconds as hours, `7.5 h`; an empty cell for none."""
    if seconds is None:
        return ""
    value = seconds / 3600
    return f"{value:.1f} h" if value % 1 else f"{value:.0f} h"


FILTERS = {"when": when, "hours": hours}
