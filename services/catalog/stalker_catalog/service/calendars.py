"""Handlers of the calendars: vacations, public holidays and a person's own working hours.

Who may write: a user their own vacations; admins and producers (of any project) anyone's, the whole
studio's, the holidays and a person's working hours: those change every project's schedule. Everyone
logged in reads them (a studio's leave calendar is shared). One transaction each, the event in the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from stalker_catalog.db.calendars import Holiday, Vacation
from stalker_catalog.db.people import User
from stalker_catalog.domain.calendar import check_leave, person_week
from stalker_catalog.domain.errors import Conflict
from stalker_shared.access import Access
from stalker_shared.contracts.calendars import (
    HolidayCreated,
    HolidayDeleted,
    HolidayUpdated,
    VacationCreated,
    VacationDeleted,
    VacationUpdated,
    WorkingHoursChanged,
)
from stalker_shared.repository import get_one
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AddVacation:
    user_id: int | None
    start: dt.datetime
    end: dt.datetime
    description: str = ""


def may_manage_leave(access: Access, user_id: int | None) -> None:
    """One's own leave; anyone's, or the studio's, for admins and producers."""
    if user_id is None or user_id != access.user_id:
        access.require_reference_editor()


async def add_vacation(uow: UnitOfWork, command: AddVacation) -> Vacation:
    may_manage_leave(uow.access, command.user_id)
    if command.user_id is not None:
        await get_one(uow.session, User, command.user_id, field="user_id")
    check_leave(command.start, command.end)
    vacation = Vacation(
        user_id=command.user_id,
        start=command.start,
        end=command.end,
        description=command.description,
        created_by_id=uow.access.user_id or None,
    )
    uow.session.add(vacation)
    await uow.session.flush()
    await uow.publish(VacationCreated.model_validate(vacation))
    return vacation


async def update_vacation(uow: UnitOfWork, vacation_id: int, changes: dict[str, Any]) -> Vacation:
    vacation = await get_one(uow.session, Vacation, vacation_id, for_update=True)
    may_manage_leave(uow.access, vacation.user_id)
    if "user_id" in changes:
        may_manage_leave(uow.access, changes["user_id"])
        if changes["user_id"] is not None:
            await get_one(uow.session, User, changes["user_id"], field="user_id")
    check_leave(changes.get("start", vacation.start), changes.get("end", vacation.end))
    for name, value in changes.items():
        setattr(vacation, name, value)
    await uow.session.flush()
    await uow.publish(VacationUpdated.model_validate(vacation))
    return vacation


async def delete_vacation(uow: UnitOfWork, vacation_id: int) -> None:
    vacation = await get_one(uow.session, Vacation, vacation_id, for_update=True)
    may_manage_leave(uow.access, vacation.user_id)
    revision = vacation.revision
    await uow.session.delete(vacation)
    await uow.session.flush()
    await uow.publish(VacationDeleted(id=vacation_id, revision=revision + 1))


@dataclass(frozen=True)
class AddHoliday:
    date: dt.date
    name: str


async def add_holiday(uow: UnitOfWork, command: AddHoliday) -> Holiday:
    uow.access.require_reference_editor()
    await _date_free(uow, command.date)
    holiday = Holiday(date=command.date, name=command.name, created_by_id=uow.access.user_id or None)
    uow.session.add(holiday)
    await uow.session.flush()
    await uow.publish(HolidayCreated.model_validate(holiday))
    return holiday


async def update_holiday(uow: UnitOfWork, holiday_id: int, changes: dict[str, Any]) -> Holiday:
    uow.access.require_reference_editor()
    holiday = await get_one(uow.session, Holiday, holiday_id, for_update=True)
    if "date" in changes:
        await _date_free(uow, changes["date"], holiday_id)
    for name, value in changes.items():
        setattr(holiday, name, value)
    await uow.session.flush()
    await uow.publish(HolidayUpdated.model_validate(holiday))
    return holiday


async def delete_holiday(uow: UnitOfWork, holiday_id: int) -> None:
    uow.access.require_reference_editor()
    holiday = await get_one(uow.session, Holiday, holiday_id, for_update=True)
    revision = holiday.revision
    await uow.session.delete(holiday)
    await uow.session.flush()
    await uow.publish(HolidayDeleted(id=holiday_id, revision=revision + 1))


async def _date_free(uow: UnitOfWork, day: dt.date, own_id: int | None = None) -> None:
    holder = await uow.session.scalar(select(Holiday.id).where(Holiday.date == day))
    if holder is not None and holder != own_id:
        raise Conflict(
            f"{day.isoformat()} is already a holiday (id {holder})", field="date", holiday_id=holder
        )


async def set_working_hours(uow: UnitOfWork, user_id: int, hours: dict[str, Any] | None) -> User:
    """The person's own week (validated whole), or None to give them the studio's back."""
    uow.access.require_reference_editor()
    user = await get_one(uow.session, User, user_id, for_update=True)
    week = None if hours is None else person_week(hours)
    user.working_hours = (
        None if week is None else {day: [list(r) for r in ranges] for day, ranges in week.items()}
    )
    await uow.session.flush()
    await uow.publish(
        WorkingHoursChanged(user_id=user.id, revision=user.revision, working_hours=user.working_hours)
    )
    return user
