"""Webhook subscriptions, the delivery of each matching event to each, and every attempt made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stalker_events.db.base import Base
from stalker_events.db.log import CURSOR
from stalker_shared.db import utcnow

PENDING, DELIVERED, PARKED = "pending", "delivered", "parked"


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(Text, default="")
    type_patterns: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every type
    project_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every project (admins)
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    owner_id: Mapped[int] = mapped_column(index=True)
    owner_is_admin: Mapped[bool] = mapped_column(default=False)
    # Set when the endpoint failed every attempt of a whole retry window; cleared by `enable`. Deliveries
    # keep being queued meanwhile, so nothing is lost while an endpoint is down.
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]  # a worker is sending to it until then
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_queue", "subscription_id", "status", "event_id"),
    )

    id: Mapped[int] = mapped_column(CURSOR, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(CURSOR, ForeignKey("event.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    parked_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(CURSOR, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        CURSOR, ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)


class ProjectRole(Base):
    """Who is what in each project, from the project events recorded: a producer's webhook receives a
    project's events only while they are still its producer."""

    __tablename__ = "project_role"

    project_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))


class UserStanding(Base):
    """Each user's admin rights and activity, from the user events the log records: a webhook delivers
    what its owner may read now (a deactivated, deleted or demoted owner's webhook stops receiving)."""

    __tablename__ = "user_standing"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    is_admin: Mapped[bool]
    active: Mapped[bool]
    deleted: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int]


class ProjectRevision(Base):
    """The revision of each project whose members project_role holds (a late, older state is ignored)."""

    __tablename__ = "project_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int]
