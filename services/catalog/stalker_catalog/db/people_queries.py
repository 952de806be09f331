"""Reads of users, departments, groups and roles that the handlers need beyond a lookup by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from stalker_catalog.db.models import Department, Group, User

USER_LOAD = (selectinload(User.departments), selectinload(User.groups))
DEPARTMENT_LOAD = (selectinload(Department.users),)
GROUP_LOAD = (selectinload(Group.users),)


async def user_with(
    session: AsyncSession, column: InstrumentedAttribute[str], value: str, own_id: int | None = None
) -> int | None:
    """Another user whose `column` (login or email) is `value`."""
    return await session.scalar(select(User.id).where(column == value, User.id != (own_id or -1)))


async def users_fresh(session: AsyncSession, user_ids: Sequence[int]) -> list[User]:
    """The users with USER_LOAD, by id."""
    statement = select(User).where(User.id.in_(user_ids)).options(*USER_LOAD).order_by(User.id)
    return list((await session.scalars(statement)).unique())
