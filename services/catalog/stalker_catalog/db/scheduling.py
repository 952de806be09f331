"""Schedule jobs: one row per request to schedule a studio, from queued to completed or failed; and the
parts a running job was split into (one per independent group of projects), each answered on its own."""

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
        # A late result of a deleted studio's job must never land on a new job with the same id.
        {"sqlite_autoincrement": True},
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
    parts: Mapped[int] = mapped_column(default=0)  # 0 until dispatched
    parts_done: Mapped[int] = mapped_column(default=0)  # parts whose dates are applied
    # A what-if run: the imagined changes (api/schemas/what_if.py's JSON); its dates are kept in `scenario`
    # instead of being applied, until applied or dropped (`scenario_status`: ready, applied, dropped).
    what_if: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    basis: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # domain/what_if.py fingerprint
    scenario: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scenario_status: Mapped[str | None] = mapped_column(String(16))


class ScheduleJobPart(Base):
    """One group's request of a job. Its status moves once, from running to completed or failed (or to
    dropped when the job ended first): the conditional update that moves it makes a repeated result a
    no-op, also where the database cannot lock the job's row (SQLite)."""

    __tablename__ = "schedule_job_part"

    job_id: Mapped[int] = mapped_column(ForeignKey("schedule_job.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, completed, failed, dropped
    project_ids: Mapped[list[int]] = mapped_column(JSON)
    tasks: Mapped[int] = mapped_column(default=0)  # tasks sent
    finished_at: Mapped[datetime | None]
    tasks_scheduled: Mapped[int | None]
    timings: Mapped[dict[str, float] | None] = mapped_column(JSON)
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
