"""What the log's routes answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cursor: int = Field(
        validation_alias="id", description="The event's place in the log: read on with after="
    )
    event_id: uuid.UUID = Field(
        validation_alias="message_id", description="Unique per event; the webhook-id of its deliveries"
    )
    type: str = Field(description="Without its version: catalog.task.updated")
    version: int
    producer: str
    occurred_at: datetime
    recorded_at: datetime
    correlation_id: str
    causation_id: str | None
    project_id: int | None = Field(description="None: the studio's own (people, calendars, schedules)")
    data: dict[str, Any] = Field(validation_alias="payload", description="The full state, deletions too")


class EventPage(BaseModel):
    items: list[EventRead]
    next_after: int = Field(description="Ask again with after= this: the last cursor read or passed over")
    limit: int


class EventTypes(BaseModel):
    types: list[str] = Field(description="Every type the log records; `type=` patterns match these")
