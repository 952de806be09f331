"""Events the catalog publishes about its calendars: a vacation (a user's, or the whole studio's when
`user_id` is null), a public holiday, a user's own working hours. As for every catalog aggregate,
`created`/`updated` carry the full state and `deleted` the id; `revision` grows with every change."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime

from stalker_shared.contracts.catalog import AggregateState, Deleted
from stalker_shared.contracts.envelope import Contract


class VacationState(AggregateState):
    user_id: int | None = None
    start: AwareDatetime
    end: AwareDatetime
    description: str = ""


class VacationCreated(VacationState):
    TYPE = "catalog.vacation.created"
    VERSION = 1


class VacationUpdated(VacationState):
    TYPE = "catalog.vacation.updated"
    VERSION = 1


class VacationDeleted(Deleted):
    TYPE = "catalog.vacation.deleted"
    VERSION = 1


class HolidayState(AggregateState):
    date: dt.date
    name: str


class HolidayCreated(HolidayState):
    TYPE = "catalog.holiday.created"
    VERSION = 1


class HolidayUpdated(HolidayState):
    TYPE = "catalog.holiday.updated"
    VERSION = 1


class HolidayDeleted(Deleted):
    TYPE = "catalog.holiday.deleted"
    VERSION = 1


class WorkingHoursChanged(Contract):
    """A user's own week set (`working_hours`: weekday -> minute ranges) or given back to the studio's
    (null). `revision` is the user's."""

    TYPE = "catalog.user.working_hours_changed"
    VERSION = 1

    user_id: int
    revision: int
    working_hours: dict[str, list[list[int]]] | None = None


CALENDAR_CONTRACTS: tuple[type[Contract], ...] = (
    VacationCreated,
    VacationUpdated,
    VacationDeleted,
    HolidayCreated,
    HolidayUpdated,
    HolidayDeleted,
    WorkingHoursChanged,
)
