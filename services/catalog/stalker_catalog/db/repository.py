"""The catalog's lookups by id: the shared ones (stalker_shared.repository), named here for the
catalog's handlers, and the check for a name another row already holds."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.repository import count_where, get_many, get_one, ids_where, label

__all__ = ["count_where", "get_many", "get_one", "ids_where", "label", "name_holder"]


async def name_holder(session: AsyncSession, model: Any, name: str, own_id: int | None = None) -> int | None:
    """Another row of `model` (a department, group, role or image format) with this name."""
    return await session.scalar(select(model.id).where(model.name == name, model.id != (own_id or -1)))
