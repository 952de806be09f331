"""Vacations, public holidays and a person's own working hours."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_catalog.api.schemas.studio import WorkingHours
from stalker_shared.types import Id, Instant, Name, Text

VACATION_USER_HELP = "The user on leave; null (or left out) for the whole studio"
PERSON_WEEK_HELP = (
    "Weekday -> ranges of minutes from local midnight in the studio's time zone, "
    'e.g. {"mon": [[540, 780]]}; '
    "the person's whole week: a day left out is off"
)


class VacationCreate(Input):
    user_id: Id | None = Field(None, description=VACATION_USER_HELP)
    start: Instant
    end: Instant = Field(description="After start; at most 366 days later")
    description: Text = ""


class VacationUpdate(Input):
    user_id: Id | None = Field(None, description=VACATION_USER_HELP)
    start: Instant | None = None
    end: Instant | None = None
    description: Text | None = None


class VacationRead(Audit):
    id: int
    user_id: int | None
    start: dt.datetime
    end: dt.datetime
    description: str


class HolidayCreate(Input):
    date: dt.date = Field(description="The whole day, in the studio's time zone")
    name: Name


class HolidayUpdate(Input):
    date: dt.date | None = None
    name: Name | None = None


class HolidayRead(Audit):
    id: int
    date: dt.date
    name: str


class PersonWeekBody(Input):
    working_hours: WorkingHours = Field(description=PERSON_WEEK_HELP)


class PersonWeekRead(Output):
    user_id: int
    working_hours: dict[str, list[list[int]]] = Field(description="Every day; an empty list is a day off")
    own: bool = Field(description="False: the user works the studio's hours (shown here)")
