"""A working week as people type it: `--day mon-fri=09:00-13:00 --day wed=14:00-18:00,19:00-20:00`, into the
API's weekday -> [start, end] minutes from local midnight."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import typer

from stalker_client._calendar_models import WEEKDAYS

WEEK_HELP = (
    "DAYS=HOURS, repeatable: mon=09:00-13:00, mon-fri=09:00-13:00,14:00-18:00, sat,sun=10:00-12:00, "
    "fri=off; the days never given are off"
)
RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
HINT = "--day"


def week_of(specs: Iterable[str]) -> dict[str, list[list[int]]]:
    """The week the `--day` options describe, in weekday order; a BadParameter saying what is wrong."""
    week: dict[str, list[list[int]]] = {}
    for spec in specs:
        days_text, sep, hours_text = spec.partition("=")
        if not sep or not days_text.strip() or not hours_text.strip():
            raise typer.BadParameter(f"{spec!r} is not DAYS=HOURS, e.g. mon-fri=09:00-18:00", param_hint=HINT)
        ranges = [] if hours_text.strip().lower() == "off" else _ranges(hours_text)
        for day in _days(days_text):
            week.setdefault(day, []).extend(ranges)
    if not week:
        raise typer.BadParameter("give the week, e.g. --day mon-fri=09:00-13:00", param_hint=HINT)
    return {day: sorted(week[day]) for day in WEEKDAYS if day in week}


def minutes_text(span: Sequence[int]) -> str:
    """[540, 780] -> 09:00-13:00."""
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in span)


def _days(text: str) -> list[str]:
    days: list[str] = []
    for part in text.lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        for name in (first, last) if sep else (first,):
            if name not in WEEKDAYS:
                raise typer.BadParameter(
                    f"{name!r} is not a day: use {', '.join(WEEKDAYS)}, or a span like mon-fri",
                    param_hint=HINT,
                )
        start, stop = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if stop < start:
            raise typer.BadParameter(f"{part!r}: a span goes forward, like mon-fri", param_hint=HINT)
        days.extend(WEEKDAYS[start : stop + 1])
    return days


def _ranges(text: str) -> list[list[int]]:
    ranges = []
    for part in text.replace(" ", "").split(","):
        found = RANGE.match(part)
        if found is None:
            raise typer.BadParameter(f"{part!r} is not a span of hours like 09:00-13:00", param_hint=HINT)
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        begin, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 >= 60 or m2 >= 60 or end > 24 * 60 or begin >= end:
            raise typer.BadParameter(
                f"{part!r}: give a start before the end, within 00:00-24:00", param_hint=HINT
            )
        ranges.append([begin, end])
    return ranges
