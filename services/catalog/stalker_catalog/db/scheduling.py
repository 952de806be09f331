"""Schedule jobs: one row per request to schedule a studio, from queued to completed or failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Base
from stalker_shared.db import utcnow


class ScheduleJob(Base):
    __tablename__ = "schedule_job"
    __table_args__ = (
        # One run per studio at a time: the database refuses a second job in flight.
        Index(
            "uq_schedule_job_running",
            "studio_id",
            unique=True,
            postgresql_where=text("status = 'running'"),
            sqlite_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studio.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, completed, failed
    project_ids: Mapped[list[int] | None] = mapped_column(JSON)  # None: every project
    compute_resources: Mapped[bool] = mapped_column(default=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requests_merged: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    message: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    timings: Mapped[dict[str, float] | None] = mapped_column(JSON)
    tasks_scheduled: Mapped[int | None]
