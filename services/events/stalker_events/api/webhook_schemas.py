"""What the webhook routes take and answer. The secret is shown once, when it is made."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from stalker_events.domain.targets import MAX_URL
from stalker_shared.schemas import Input, Output
from stalker_shared.types import Id, Text

Url = Annotated[str, Field(min_length=1, max_length=MAX_URL, description="http:// or https://")]
Patterns = Annotated[
    list[Annotated[str, Field(max_length=200)]],
    Field(max_length=20, description="Type patterns (`catalog.task.*`, `versions.#`); empty: every type"),
]
ProjectIds = Annotated[
    list[Id], Field(max_length=100, description="Only these projects' events; empty: all (admins only)")
]


class WebhookIn(Input):
    url: Url
    description: Text = ""
    types: Patterns = []
    project_ids: ProjectIds = []
    active: bool = True


class WebhookChange(Input):
    url: Url | None = None
    description: Text | None = None
    types: Patterns | None = None
    project_ids: ProjectIds | None = None
    active: bool | None = None


class WebhookRead(Output):
    id: int
    url: str
    description: str
    types: list[str]
    project_ids: list[int]
    active: bool
    status: Literal["active", "inactive", "disabled"]
    disabled_at: datetime | None
    disabled_reason: str | None
    consecutive_failures: int
    next_attempt_at: datetime
    pending: int = Field(description="Deliveries waiting to be sent")
    parked: int = Field(description="Deliveries given up on: redeliver them once the endpoint is fixed")
    owner_id: int
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="Shown only now: verify deliveries' webhook-signature with it")


class DeliveryRead(Output):
    id: int
    cursor: int = Field(description="The event's cursor in the log")
    webhook_id: str = Field(description="The webhook-id header: the event's id, the same on every retry")
    type: str
    status: Literal["pending", "delivered", "parked"]
    attempts: int
    parked_reason: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(Output):
    items: list[DeliveryRead]
    next_after: int
    limit: int


class AttemptRead(Output):
    id: int
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None
