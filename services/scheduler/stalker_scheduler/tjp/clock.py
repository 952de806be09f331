"""Dates and durations as tj3 reads and writes them, in the studio's time zone.

tj3 facts this module relies on (tj3 3.7.1, checked against its parser):
* a date is `YYYY-MM-DD-hh:mm[:ss][-+HHMM]`; the offset form is unambiguous, but tj3 only accepts offsets of
  at most 12 hours, so zones beyond that (Pacific/Kiritimati) are written in UTC instead;
* every date must sit on the timing-resolution grid, counted from the Unix epoch;
* a zone that is not hour-aligned with UTC (Asia/Kolkata) needs a finer resolution, or local working hours
  fall between slots;
* tj3 refuses the names `Etc/UTC` and `Zulu` ("not a known time zone") but accepts `UTC`;
* years must lie within 1970-2035.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from stalker_shared.contracts.scheduling import TimeUnit

TJ3_RESOLUTIONS = (60, 30, 20, 15, 10, 5)
TJ3_MIN_YEAR = 1970
TJ3_MAX_YEAR = 2035
_MAX_OFFSET = timedelta(hours=12)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UTC_ALIASES = frozenset(
    {
        "UTC",
        "UCT",
        "Universal",
        "Zulu",
        "GMT",
        "GMT0",
        "GMT+0",
        "GMT-0",
        "Greenwich",
        "Etc/UTC",
        "Etc/UCT",
        "Etc/Universal",
        "Etc/Zulu",
        "Etc/GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "Etc/Greenwich",
    }
)


def tj3_zone_name(name: str) -> str:
    """The name tj3 accepts for an IANA zone: its UTC aliases become `UTC`."""
    return "UTC" if name in _UTC_ALIASES else name


def tj3_accepts_zone(name: str) -> bool:
    """tj3 takes `UTC` or `Region/City` names only (it rejects `CET`, `EST5EDT`...)."""
    return tj3_zone_name(name) == "UTC" or "/" in name


def effective_resolution(
    minutes: int, zone: ZoneInfo, start: datetime, end: datetime, boundaries: Iterable[int] = ()
) -> int:
    """The requested resolution, made finer until the zone's offsets and the working-hour boundaries
    (minutes after midnight) fall on the grid, as tj3 requires."""
    step = minutes
    for boundary in boundaries:
        step = math.gcd(step, boundary)
    moment = start
    while True:
        offset = moment.astimezone(zone).utcoffset() or timedelta(0)
        step = math.gcd(step, abs(int(offset.total_seconds())) // 60)
        if moment >= end:
            break
        # Weekly samples catch every DST rule; offsets change at most a few times a year.
        moment = min(moment + timedelta(days=7), end)
    return next((value for value in TJ3_RESOLUTIONS if step % value == 0), TJ3_RESOLUTIONS[-1])


def align(value: datetime, resolution_minutes: int, *, up: bool = False) -> datetime:
    """Move a date onto tj3's slot grid: down (starts), or up (ends)."""
    slot = timedelta(minutes=resolution_minutes)
    elapsed = value - _EPOCH
    slots = elapsed // slot
    if up and elapsed % slot:
        slots += 1
    return _EPOCH + slots * slot


def tj3_date(value: datetime, zone: ZoneInfo, resolution_minutes: int, *, up: bool = False) -> str:
    """A tj3 date on the grid, in the studio's local time with its explicit offset."""
    local = align(value, resolution_minutes, up=up).astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    if abs(offset) > _MAX_OFFSET:
        local = local.astimezone(UTC)
    return local.strftime("%Y-%m-%d-%H:%M-%z")


def parse_tj3_time(text: str, zone: ZoneInfo) -> datetime:
    """Read `YYYY-MM-DD-hh:mm[+HHMM]` (the report's timeformat) into an aware UTC datetime."""
    naive = datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]))
    suffix = text[16:]
    if not suffix:
        return naive.replace(tzinfo=zone).astimezone(UTC)
    if len(suffix) != 5 or suffix[0] not in "+-":
        raise ValueError(f"unexpected time {text!r}")
    offset = timedelta(hours=int(suffix[1:3]), minutes=int(suffix[3:5]))
    return (naive - offset if suffix[0] == "+" else naive + offset).replace(tzinfo=UTC)


def tj3_duration(timing: float, unit: TimeUnit) -> str:
    """`<value><unit>` as the reference writes it: tj3 itself converts months and years (a working month
    is `yearlyworkingdays` / 12 working days, 21.7 by default; a calendar month 30.4 days; a working year
    260.7 working days), so the dates equal the reference's."""
    return f"{tj3_number(timing)}{unit}"


def nearest_slot(value: datetime, resolution_minutes: int) -> datetime:
    """The slot boundary nearest to `value` (halves go up, as the reference rounds `now`); monotonic, so
    order is kept."""
    down, up = align(value, resolution_minutes), align(value, resolution_minutes, up=True)
    return up if (value - down) * 2 >= up - down and up != down else down


def tj3_number(value: float) -> str:
    """A decimal literal tj3 parses (never exponent notation): 10.0, 1.5, 0.333333."""
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
