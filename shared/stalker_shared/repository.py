"""Lookups every service's repositories share: one row by id, many rows by id, counts. Each answers
NotFound naming the kind, the ids and the input field, so a handler never builds that message itself.

Queries run on the caller's session, so a request's project scope (scope.py) applies: a row of a project
the caller cannot see is not found, exactly as a row that does not exist."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.base import ExecutableOption

from stalker_shared.errors import NotFound

M = TypeVar("M", bound=DeclarativeBase)


def label(model: type[DeclarativeBase]) -> str:
    return str(model.__tablename__).replace("_", " ")


def _key(model: type[DeclarativeBase]) -> Any:
    return model.__mapper__.primary_key[0]


async def get_one(
    session: AsyncSession,
    model: type[M],
    entity_id: int,
    *options: ExecutableOption,
    for_update: bool = False,
    field: str | None = None,
) -> M:
    """The row with this id, with the given loader options, or NotFound naming the kind and id."""
    statement = select(model).where(_key(model) == entity_id).options(*options)
    if for_update:
        statement = statement.with_for_update()
    entity = (await session.scalars(statement)).unique().one_or_none()
    if entity is None:
        raise NotFound(f"no {label(model)} with id {entity_id}", field=field)
    return entity


async def get_many(
    session: AsyncSession, model: type[M], ids: Iterable[int], field: str, *options: ExecutableOption
) -> list[M]:
    """Rows for every id, in the order given; NotFound naming the missing ids and the field."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    key = _key(model)
    attribute = model.__mapper__.get_property_by_column(key).key
    statement = select(model).where(key.in_(wanted)).options(*options)
    found = {getattr(e, attribute): e for e in (await session.scalars(statement)).unique()}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"{field}: no {label(model)} with id {', '.join(map(str, missing))}", field=field)
    return [found[i] for i in wanted]


async def count_where(session: AsyncSession, model: type[DeclarativeBase], *conditions: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


async def ids_where(session: AsyncSession, column: Any, *conditions: Any, limit: int = 20) -> Sequence[int]:
    return list((await session.scalars(select(column).where(*conditions).limit(limit))).all())


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    update: Mapping[str, Any],
    where: ColumnElement[bool] | None = None,
) -> bool:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE SET `update` [WHERE `where`], on either backend;
    True when the row was inserted or updated, False when `where` kept it as it was."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    keys = list(model.__table__.primary_key)
    statement = insert(model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[key.name for key in keys], set_=dict(update), where=where
    )
    return (await session.execute(statement.returning(*keys))).first() is not None
