"""The shared bounded input types: ids within 32 bits, one-line strings without control characters, text
with newlines, NUL refused anywhere, dates and durations within the calendar, capped id lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from stalker_shared.types import (
    INT32_MAX,
    MAX_IDS,
    BigId,
    Duration,
    Id,
    IdCsv,
    Ids,
    Instant,
    Name,
    Text,
    Timing,
    refuse_nul,
)


class Body(BaseModel):
    id: Id = 1
    big: BigId = 1
    ids: Ids = []
    name: Name = "n"
    text: Text = ""
    at: Instant | None = None
    span: Duration | None = None
    timing: Timing = 0
    csv: IdCsv | None = None
    extra: dict[str, Any] = {}

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


def invalid(**fields: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        Body(**fields)
    errors = raised.value.errors()
    return ".".join(str(p) for p in errors[0]["loc"])


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"id": INT32_MAX + 1}, "id"),
        ({"id": 0}, "id"),
        ({"big": 2**63}, "big"),
        ({"ids": [INT32_MAX + 1]}, "ids.0"),
        ({"ids": [1] * (MAX_IDS + 1)}, "ids"),
        ({"name": "a\x00b"}, "name"),
        ({"name": "tab\there"}, "name"),
        ({"name": "x" * 257}, "name"),
        ({"name": ""}, "name"),
        ({"text": "bell\x07"}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"at": "1899-12-31T23:59:59+00:00"}, "at"),
        ({"at": "2200-01-01T00:00:00+00:00"}, "at"),
        ({"at": "2024-01-01T00:00:00"}, "at"),  # no time zone
        ({"span": "P36526D"}, "span"),
        ({"timing": float("inf")}, "timing"),
        ({"timing": 1e7}, "timing"),
        ({"csv": "1,,2"}, "csv"),
        ({"csv": "abc"}, "csv"),
        ({"csv": str(INT32_MAX + 1)}, "csv"),
        ({"csv": "0"}, "csv"),
        ({"csv": ",".join(["1"] * (MAX_IDS + 1))}, "csv"),
        ({"extra": {"k": ["a", "b\x00"]}}, "extra"),
        ({"extra": {"k\x00": 1}}, "extra"),
    ],
)
def test_out_of_bounds_values_are_refused_naming_the_field(fields: dict[str, Any], where: str) -> None:
    assert invalid(**fields) == where


def test_values_within_bounds_are_kept() -> None:
    body = Body(
        id=INT32_MAX,
        big=2**63 - 1,
        ids=[1] * MAX_IDS,
        name="n" * 256,
        text="line 1\r\n\tline 2",
        at="2199-12-31T23:59:59+05:00",
        span="P36525D",
        timing=1e6,
        csv=f"1,{INT32_MAX}",
        extra={"k": ["é", "日本"]},
    )
    assert body.text == "line 1\r\n\tline 2" and body.span == timedelta(days=36_525)
