"""Queries shared by the catalog's handlers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.base import ExecutableOption

from stalker_catalog.domain.errors import NotFound

M = TypeVar("M", bound=DeclarativeBase)


def label(model: type[DeclarativeBase]) -> str:
    return model.__tablename__.replace("_", " ")  # type: ignore[no-any-return]


async def get_one(
    session: AsyncSession,
    model: type[M],
    entity_id: int,
    *options: ExecutableOption,
    for_update: bool = False,
) -> M:
    """The row with this id, with the given loader options, or NotFound naming the kind and id."""
    statement = select(model).where(model.id == entity_id).options(*options)  # type: ignore[attr-defined]
    if for_update:
        statement = statement.with_for_update()
    entity = (await session.scalars(statement)).unique().one_or_none()
    if entity is None:
        raise NotFound(f"no {label(model)} with id {entity_id}")
    return entity


async def get_many(
    session: AsyncSession, model: type[M], ids: Iterable[int], field: str, *options: ExecutableOption
) -> list[M]:
    """Rows for every id, in the order given; NotFound naming the missing ids and the field."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    statement = select(model).where(model.id.in_(wanted)).options(*options)  # type: ignore[attr-defined]
    found = {e.id: e for e in (await session.scalars(statement)).unique()}  # type: ignore[attr-defined]
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"{field}: no {label(model)} with id {', '.join(map(str, missing))}", field=field)
    return [found[i] for i in wanted]


async def count_where(session: AsyncSession, model: type[DeclarativeBase], *conditions: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


async def ids_where(session: AsyncSession, column: Any, *conditions: Any, limit: int = 20) -> Sequence[int]:
    return list((await session.scalars(select(column).where(*conditions).limit(limit))).all())
