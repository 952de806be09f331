"""Inbox: the consumer records a message id in the same transaction as the message's effect, under a
primary key, so a redelivered or duplicated message is acknowledged without a second effect."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.db import utcnow
from stalker_shared.tables import MessagingTables


async def already_processed(
    session: AsyncSession, tables: MessagingTables, consumer: str, message_id: uuid.UUID
) -> bool:
    inbox = tables.inbox
    found = await session.scalar(
        select(inbox.c.message_id).where(inbox.c.consumer == consumer, inbox.c.message_id == message_id)
    )
    return found is not None


async def claim_message(
    session: AsyncSession, tables: MessagingTables, consumer: str, message_id: uuid.UUID, message_type: str
) -> bool:
    """True if this consumer sees the message for the first time (and now owns its effect)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(tables.inbox)
        .values(consumer=consumer, message_id=message_id, message_type=message_type, processed_at=utcnow())
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
