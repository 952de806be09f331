"""Production tracking: the time logged on tasks and the reviews asked of their responsible.

A time log's no-overlap rule is a database constraint in both modes (migration 0005): an exclusion
constraint on PostgreSQL (a resource's `[start, end)` ranges may not meet), a trigger on SQLite. The
handlers check first, to name the other log; the constraint is what makes two writers racing each other
unable to both succeed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Audited, Base

# The name both modes' no-overlap constraint raises with, to tell it from any other integrity error.
NO_OVERLAP = "time_log_no_overlap"


class TimeLog(Audited, Base):
    __tablename__ = "time_log"
    __table_args__ = (
        CheckConstraint('"end" > start', name="ends_after_start"),
        {"sqlite_autoincrement": True},  # ids are never reused (see Project)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    # The task's project, kept on the row for the caller's scope and for a project's figures.
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    start: Mapped[datetime]
    end: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text, default="")

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


class Review(Audited, Base):
    """One responsible's verdict on one round ("set") of a task's work: NEW until approved (APP) or sent
    back with extra time (RREV)."""

    __tablename__ = "review"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    review_number: Mapped[int]
    status: Mapped[str] = mapped_column(String(8), default="NEW")
    # A version of the task (the versions service's id), when the review was asked for one.
    version_id: Mapped[int | None] = mapped_column(BigInteger)
    schedule_timing: Mapped[float] = mapped_column(default=0.0)  # the extra time a revision asks for
    schedule_unit: Mapped[str] = mapped_column(String(4), default="h")
    description: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
