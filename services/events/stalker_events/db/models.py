"""Every model of the events service's own database, in one import for Alembic and the handlers."""

from stalker_events.db.base import MESSAGING, Base
from stalker_events.db.log import Event, LogState, TaskProject
from stalker_events.db.webhooks import (
    ProjectRevision,
    ProjectRole,
    UserStanding,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

__all__ = [
    "MESSAGING",
    "Base",
    "Event",
    "LogState",
    "ProjectRevision",
    "ProjectRole",
    "TaskProject",
    "UserStanding",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
