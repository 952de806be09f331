"""Reads of statuses and status lists that the handlers need beyond a lookup by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import STATUS_LIST_LOAD, Status, StatusList, StatusListStatus


async def default_status_list(session: AsyncSession, target: str) -> StatusList | None:
    """The default status list of a target entity type, with its statuses."""
    return await session.scalar(
        select(StatusList)
        .where(StatusList.target_entity_type == target, StatusList.is_default.is_(True))
        .options(*STATUS_LIST_LOAD)
    )


async def default_list_id(session: AsyncSession, target: str) -> int | None:
    """The id of the target's default status list, if it has one."""
    return await session.scalar(
        select(StatusList.id).where(StatusList.target_entity_type == target, StatusList.is_default.is_(True))
    )


async def status_with_code(session: AsyncSession, code: str, own_id: int | None = None) -> int | None:
    """Another status with this code, compared case-insensitively."""
    return await session.scalar(
        select(Status.id).where(func.upper(Status.code) == code.upper(), Status.id != (own_id or -1))
    )


async def lists_with_status(session: AsyncSession, status_id: int) -> Sequence[StatusList]:
    """The status lists the status is in, with their statuses, by id."""
    member_of = select(StatusListStatus.status_list_id).where(StatusListStatus.status_id == status_id)
    lists = await session.scalars(
        select(StatusList)
        .where(StatusList.id.in_(member_of))
        .options(*STATUS_LIST_LOAD)
        .order_by(StatusList.id)
    )
    return lists.unique().all()
