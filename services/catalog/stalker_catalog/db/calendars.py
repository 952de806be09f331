"""Who does not work when: a person's leave (or the whole studio's, without a user) and public holidays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Audited, Base


class Vacation(Audited, Base):
    """Leave from `start` to `end`: of one user, or of everybody when `user_id` is null."""

    __tablename__ = "vacation"
    __table_args__ = (
        CheckConstraint('"end" > start', name="ordered"),
        Index("ix_vacation_user_start", "user_id", "start"),
        {"sqlite_autoincrement": True},  # ids are never reused (see Project)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    start: Mapped[dt.datetime]
    end: Mapped[dt.datetime]
    description: Mapped[str] = mapped_column(Text, default="")


class Holiday(Audited, Base):
    """A public holiday: the whole day, in the studio's time zone, nobody works."""

    __tablename__ = "holiday"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(256))
