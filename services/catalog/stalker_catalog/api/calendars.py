"""Routes of the calendars: /v1/vacations (a user's leave, or the whole studio's), /v1/holidays, and a
person's own week at /v1/users/{user_id}/working-hours. Everyone logged in reads them; who writes is the
handlers' rule (service/calendars.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status

from stalker_catalog.api.schemas.calendars import (
    HolidayCreate,
    HolidayRead,
    HolidayUpdate,
    PersonWeekBody,
    PersonWeekRead,
    VacationCreate,
    VacationRead,
    VacationUpdate,
)
from stalker_catalog.db.calendars import Holiday, Vacation
from stalker_catalog.db.people import User
from stalker_catalog.db.studio_queries import studio_calendar
from stalker_catalog.service import calendars
from stalker_shared.listing import ListSpec
from stalker_shared.repository import get_one
from stalker_shared.requests import Work, caller, reference_editor
from stalker_shared.resources import Resource
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork

VACATION_LIST = ListSpec(
    {
        "id": Vacation.id,
        "user_id": Vacation.user_id,
        "start": Vacation.start,
        "end": Vacation.end,
        "created_at": Vacation.created_at,
    },
    default_sort=("start", "id"),
)
HOLIDAY_LIST = ListSpec(
    {"id": Holiday.id, "date": Holiday.date, "name": Holiday.name}, default_sort=("date",)
)


async def _add_vacation(uow: UnitOfWork, body: VacationCreate) -> Vacation:
    return await calendars.add_vacation(uow, calendars.AddVacation(**body.model_dump()))


async def _add_holiday(uow: UnitOfWork, body: HolidayCreate) -> Holiday:
    return await calendars.add_holiday(uow, calendars.AddHoliday(**body.model_dump()))


VACATIONS = Resource(
    path="vacations",
    id_name="vacation_id",
    model=Vacation,
    read_schema=VacationRead,
    create_schema=VacationCreate,
    update_schema=VacationUpdate,
    list_spec=VACATION_LIST,
    create=_add_vacation,
    update=calendars.update_vacation,
    delete=calendars.delete_vacation,
    writers=caller,  # a user their own; the handlers check the rest
    nullable=frozenset({"user_id"}),
)
HOLIDAYS = Resource(
    path="holidays",
    id_name="holiday_id",
    model=Holiday,
    read_schema=HolidayRead,
    create_schema=HolidayCreate,
    update_schema=HolidayUpdate,
    list_spec=HOLIDAY_LIST,
    create=_add_holiday,
    update=calendars.update_holiday,
    delete=calendars.delete_holiday,
    writers=reference_editor,
)


def working_hours_router() -> APIRouter:
    router = APIRouter(prefix="/v1/users/{user_id}/working-hours", tags=["calendars"])

    @router.get("", response_model=PersonWeekRead, summary="The person's week: their own, or the studio's")
    async def get_working_hours(uow: Work, user_id: Id) -> PersonWeekRead:
        return await _week(uow, await get_one(uow.session, User, user_id))

    editors = [Depends(reference_editor)]  # admins and producers

    @router.put(
        "", response_model=PersonWeekRead, dependencies=editors, summary="Give the person a week of their own"
    )
    async def set_working_hours(uow: Work, user_id: Id, body: PersonWeekBody) -> PersonWeekRead:
        user = await calendars.set_working_hours(uow, user_id, body.working_hours)
        return await _week(uow, user)

    @router.delete(
        "", status_code=status.HTTP_204_NO_CONTENT, dependencies=editors, summary="Back to the studio's week"
    )
    async def reset_working_hours(uow: Work, user_id: Id) -> Response:
        await calendars.set_working_hours(uow, user_id, None)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


async def _week(uow: UnitOfWork, user: User) -> PersonWeekRead:
    own: dict[str, Any] | None = user.working_hours
    if own is not None:
        return PersonWeekRead(user_id=user.id, working_hours=own, own=True)
    studio_week = (await studio_calendar(uow.session)).working_hours
    hours = {day: [list(r) for r in ranges] for day, ranges in studio_week.items()}
    return PersonWeekRead(user_id=user.id, working_hours=hours, own=False)
