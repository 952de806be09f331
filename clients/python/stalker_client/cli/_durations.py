"""Durations as people type them (`2h`, `90min`, `1d`, `1h30min`) and as the studio counts them: a day is
the studio's working day (`daily_working_hours`), not 24 hours."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer

PART = re.compile(r"(\d+(?:\.\d+)?)\s*(min|h|d)")
UNITS = "min, h or d"


def parts_of(raw: str, hint: str) -> list[tuple[float, str]]:
    """The (number, unit) pairs of `raw`, or a BadParameter saying what is expected."""
    compact = raw.strip().lower().replace(" ", "")
    found = [(float(number), unit) for number, unit in PART.findall(compact)]
    if not found or "".join(f"{n}{u}" for n, u in PART.findall(compact)) != compact:
        raise typer.BadParameter(f"{raw!r} is not a duration like 2h, 90min, 1d or 1h30min", param_hint=hint)
    if sum(number for number, _ in found) <= 0:
        raise typer.BadParameter(f"{raw!r} is no time at all", param_hint=hint)
    return found


def seconds_of(raw: str, day_hours: float | None, hint: str = "DURATION") -> float:
    """Seconds of a typed duration; `day_hours` is the studio's working day (None: days are refused)."""
    total = 0.0
    for number, unit in parts_of(raw, hint):
        if unit == "d" and day_hours is None:
            raise typer.BadParameter(
                "there is no studio to say how long a day is: give hours", param_hint=hint
            )
        total += number * {"min": 60.0, "h": 3600.0, "d": (day_hours or 0) * 3600.0}[unit]
    return total


def timing_of(raw: str, hint: str) -> tuple[float, str]:
    """A single timing for the API (`2h` -> (2.0, "h")); the server converts days by the studio."""
    found = parts_of(raw, hint)
    if len(found) == 1:
        return found[0]
    if any(unit == "d" for _, unit in found):
        raise typer.BadParameter(f"{raw!r}: give days alone (1d), or hours and minutes", param_hint=hint)
    return sum(number * (60 if unit == "h" else 1) for number, unit in found), "min"


def spoken(seconds: float) -> str:
    """Seconds as hours and minutes: 9000 -> 2h30min, 600 -> 10min, 0 -> 0h."""
    minutes = round(seconds / 60)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if hours and rest:
        return f"{sign}{hours}h{rest:02d}min"
    return f"{sign}{rest}min" if rest else f"{sign}{hours}h"


def start_of(raw: str | None, length: timedelta, now: datetime | None = None) -> datetime:
    """The start given (ISO 8601; without a zone, this computer's), else now minus the length, to the
    minute."""
    if raw is not None:
        try:
            given = datetime.fromisoformat(raw)
        except ValueError:
            raise typer.BadParameter(f"{raw!r} is not an ISO 8601 time", param_hint="--start") from None
        return given if given.tzinfo else given.astimezone()
    end = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    return end - length
