"""The event log: every message the services published, in the order it was recorded here. An event's
`id` is its cursor: larger ids were committed later (service/recording.py), with gaps where a transaction
rolled back, so a reader asks for "after", never for "next"."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from stalker_events.db.base import Base
from stalker_shared.db import utcnow

# SQLite hands out a rowid again once the largest is deleted unless the table is AUTOINCREMENT: a log
# pruned to empty would then reuse cursors its readers already passed.
CURSOR = BigInteger().with_variant(Integer(), "sqlite")


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_type_id", "type", "id"),
        Index("ix_event_project_id_id", "project_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(CURSOR, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    type: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    producer: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    correlation_id: Mapped[str] = mapped_column(String(200))
    causation_id: Mapped[str | None] = mapped_column(String(200))
    # The project the event belongs to (domain/patterns.py: project_of), None for the studio's own.
    project_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class TaskProject(Base):
    """Each task's project, from the task events recorded: a task's deletion names only the task."""

    __tablename__ = "task_project"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    project_id: Mapped[int]


class LogState(Base):
    """One row: the largest cursor retention has deleted, so a reader behind it learns so (410)."""

    __tablename__ = "log_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    pruned_through: Mapped[int] = mapped_column(CURSOR, default=0)
