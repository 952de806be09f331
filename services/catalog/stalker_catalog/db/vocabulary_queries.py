"""Reads of types and image formats that the handlers need beyond a lookup by id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import EntityType


async def type_named(session: AsyncSession, target: str, name: str, own_id: int | None = None) -> int | None:
    """Another type of the target entity type with this name."""
    return await session.scalar(
        select(EntityType.id).where(
            EntityType.target_entity_type == target, EntityType.name == name, EntityType.id != (own_id or -1)
        )
    )
