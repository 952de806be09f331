"""Bounded input types shared by every service's API: what a request may carry, checked at the schema.

Ids and integers fit their columns (32-bit `INTEGER` on PostgreSQL, where asyncpg refuses a larger value on
bind), strings fit theirs and carry no control characters (PostgreSQL cannot store NUL; SQLite would, and a
`LIKE` with one matches every row), dates stay within what the calendar math and tj3 handle, and lists of
ids are capped. Each is an `Annotated` type, so its bounds are in the OpenAPI document too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
MAX_IDS = 1000  # ids in one list: a body's `*_ids`, a filter's `__in`, a query's comma separated ids
NAME_MAX = 256  # the name and code columns (String(256))
TEXT_MAX = 10_000  # descriptions and other free text (Text columns)
FILTER_MAX = 256  # one value of a list filter
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_DURATION = timedelta(days=36_525)  # a hundred years
MAX_TIMING = 1_000_000.0  # units of a task's timing or gap: far past any schedule, far from overflow
MAX_FACTOR = 1_000_000.0  # rates, efficiencies, frame rates, aspects

# C0 and C1 controls and DEL, and lone surrogates (not encodable as UTF-8, so not storable anywhere).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, except tab, newline and carriage return: multi-line text.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NUL = re.compile(r"[\x00\ud800-\udfff]")
# The same sets as JSON Schema patterns, so that clients (and a fuzzer) know them.
LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


def _refuse(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        found = pattern.search(value)
        if found is not None:
            raise ValueError(f"{what} must not contain control characters (found U+{ord(found.group()):04X})")
        return value

    return check


def refuse_nul(value: Any) -> Any:
    """NUL or a lone surrogate anywhere in a value (strings in lists and mappings too) is refused: no
    column stores one. The net under every input model; typed fields say more."""
    if isinstance(value, str):
        if _NUL.search(value):
            raise ValueError("must not contain NUL or unpaired surrogate characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item)
    return value


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must be from {EARLIEST.year} to {LATEST.year - 1}")
    return value


def _duration(value: timedelta) -> timedelta:
    if value > MAX_DURATION:
        raise ValueError(f"must be at most {MAX_DURATION.days} days")
    return value


def _ids_in_range(value: str) -> str:
    for part in value.split(","):
        if not 1 <= int(part) <= INT32_MAX:
            raise ValueError(f"id {part} is out of range (1..{INT32_MAX})")
    return value


Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A row's id: a positive 32-bit integer (the catalog's and most of the versions service's keys)."""
BigId = Annotated[int, Field(ge=1, le=INT64_MAX)]
"""A 64-bit key (versions)."""
Int32 = Annotated[int, Field(ge=-(2**31), le=INT32_MAX)]
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]
"""A list of ids, capped."""
SingleLine = AfterValidator(_refuse(CONTROL, "a single-line value"))
"""The check of a one-line string; with `Field(..., json_schema_extra=LINE)` for a string of another size."""
LINE: dict[str, Any] = {"pattern": LINE_PATTERN}
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX, json_schema_extra=LINE), SingleLine]
"""A name or a code: one line, 1 to 256 characters (the columns' size)."""
Word = Annotated[str, Field(min_length=1, max_length=64, json_schema_extra=LINE), SingleLine]
"""A short keyword (a unit, a model, an entity type, a time zone): one line, up to 64 characters."""
MultiLine = AfterValidator(_refuse(_CONTROL_IN_TEXT, "text"))
"""The check of multi-line text; with `Field(..., json_schema_extra=TEXT)` for text of another size."""
TEXT: dict[str, Any] = {"pattern": TEXT_PATTERN}
Text = Annotated[str, Field(max_length=TEXT_MAX, json_schema_extra=TEXT), MultiLine]
"""Free text (a description): newlines and tabs allowed, other control characters not."""
Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""A date and time with its time zone, in 1900..2199."""
Duration = Annotated[timedelta, AfterValidator(_duration)]
Timing = Annotated[float, Field(ge=0, le=MAX_TIMING, allow_inf_nan=False)]
Factor = Annotated[float, Field(ge=0, le=MAX_FACTOR, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, le=MAX_FACTOR, allow_inf_nan=False)]
IdCsv = Annotated[
    str,
    Field(
        max_length=MAX_IDS * 11,
        pattern=rf"^[0-9]{{1,10}}(,[0-9]{{1,10}}){{0,{MAX_IDS - 1}}}$",
        description=f"Comma separated ids (at most {MAX_IDS})",
    ),
    AfterValidator(_ids_in_range),
]


__all__ = [
    "EARLIEST",
    "FILTER_MAX",
    "INT32_MAX",
    "INT64_MAX",
    "LATEST",
    "LINE",
    "LINE_PATTERN",
    "MAX_DURATION",
    "MAX_IDS",
    "NAME_MAX",
    "TEXT",
    "TEXT_MAX",
    "BigId",
    "Duration",
    "Factor",
    "Id",
    "IdCsv",
    "Ids",
    "Instant",
    "Int32",
    "MultiLine",
    "Name",
    "Positive",
    "SingleLine",
    "Text",
    "Timing",
    "Word",
    "refuse_nul",
]
