"""Notes: text left on a project, a task, a version or a review, by any member who can see it.

A note names its target by its most specific id, and names the target's task and project too: a
review's or a version's note carries their task, so a task's notes can be listed with those of its
versions and reviews, and each note goes with its task (or review, or project) when that is deleted.
A version is known from the catalog's mirror (version_mirror.py); it has no foreign key here, as the
versions service owns it."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Row, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Audited, Base
from stalker_catalog.db.projects import Project
from stalker_catalog.db.tasks import Task
from stalker_catalog.db.tracking import Review
from stalker_shared.db import BigIntKey

# A version's or a review's note, never both.
ONE_TARGET = "version_id IS NULL OR review_id IS NULL"


class Note(Audited, Base):
    """`created_by_id` is the author (`author_id` in the API and the events)."""

    __tablename__ = "note"
    __table_args__ = (
        CheckConstraint(ONE_TARGET, name="one_target"),
        {"sqlite_autoincrement": True},  # ids are never reused (see Project)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(BigIntKey, index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)

    @property
    def author_id(self) -> int | None:
        return self.created_by_id


async def project_exists(session: AsyncSession, project_id: int) -> bool:
    """The project, if the caller can see it."""
    return await session.scalar(select(Project.id).where(Project.id == project_id)) is not None


async def task_project(session: AsyncSession, task_id: int) -> int | None:
    """The project of the task, if the caller can see it."""
    return await session.scalar(select(Task.project_id).where(Task.id == task_id))


async def review_target(session: AsyncSession, review_id: int) -> Row[int, int] | None:
    """(task id, project id) of the review (the handler checks that the caller sees its project)."""
    statement = select(Review.task_id, Review.project_id).where(Review.id == review_id)
    return (await session.execute(statement)).one_or_none()
