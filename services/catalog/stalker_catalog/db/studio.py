"""The studio: its calendar, its time zone and its scheduling state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Audited, Base


class Studio(Audited, Base):
    __tablename__ = "studio"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="")
    # {"mon": [[540, 1080]], ..., "sun": []}: minutes from local midnight, in the studio's time zone.
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    daily_working_hours: Mapped[int] = mapped_column(default=9)
    timing_resolution_minutes: Mapped[int] = mapped_column(default=60)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    start: Mapped[datetime]
    end: Mapped[datetime]
    # A pinned "now" for scheduling (the tutorial pins 2014-04-02 16:00); None means the real clock.
    now: Mapped[datetime | None]
    is_scheduling: Mapped[bool] = mapped_column(default=False)
    is_scheduling_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    scheduling_started_at: Mapped[datetime | None]
    last_scheduled_at: Mapped[datetime | None]
    last_scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_schedule_message: Mapped[str | None] = mapped_column(Text)
