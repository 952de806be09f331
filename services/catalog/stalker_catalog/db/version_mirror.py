"""The versions the catalog knows of, kept from the versions service's events (never asked for over
HTTP): enough to put a note on a version, scoped to its project like any project row.

A version's id, project, task, take and number never change once given, so every event about it says
the same and applying one is inserting the row if it is not there yet: a repeated or late event changes
nothing. A deleted version (`versions.version.deleted`) stays as a tombstone (`deleted`), so a late
event cannot bring it back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Base
from stalker_shared.db import BigIntKey


class KnownVersion(Base):
    __tablename__ = "known_version"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=False)
    # No foreign keys: an event may tell of a project or task this catalog has deleted meanwhile.
    project_id: Mapped[int] = mapped_column(index=True)
    task_id: Mapped[int]
    take_name: Mapped[str] = mapped_column(String(64))
    version_number: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(KnownVersion)


async def remember_version(
    session: AsyncSession, version_id: int, project_id: int, task_id: int, take_name: str, number: int
) -> None:
    """Insert the version unless it is known already (alive or a tombstone)."""
    values = {
        "id": version_id,
        "project_id": project_id,
        "task_id": task_id,
        "take_name": take_name,
        "version_number": number,
        "deleted": False,
    }
    await session.execute(_insert(session).values(values).on_conflict_do_nothing(index_elements=["id"]))


async def forget_version(session: AsyncSession, version_id: int) -> None:
    """Mark the version deleted, leaving a tombstone even for one never heard of."""
    await session.execute(update(KnownVersion).where(KnownVersion.id == version_id).values(deleted=True))
    tombstone = {"id": version_id, "project_id": 0, "task_id": 0, "take_name": "", "version_number": 0}
    statement = _insert(session).values({**tombstone, "deleted": True})
    await session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))


async def live_version(session: AsyncSession, version_id: int) -> KnownVersion | None:
    """The version if it is known and not deleted (in the caller's scope)."""
    statement = select(KnownVersion).where(KnownVersion.id == version_id, KnownVersion.deleted.is_(False))
    return (await session.scalars(statement)).one_or_none()
