"""What the event log returns: one recorded event, and a page of the log read after a cursor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stalker_client._model import Model


class Event(Model):
    """One change the system recorded: `type` without its version (catalog.task.updated), `data` the full
    state of what changed (deletions too), `cursor` its place in the log (read on with `after=cursor`)."""

    cursor: int
    event_id: uuid.UUID
    type: str
    version: int
    producer: str
    occurred_at: datetime
    recorded_at: datetime
    correlation_id: str
    causation_id: str | None = None
    project_id: int | None = None
    data: dict[str, Any] = {}

    def __str__(self) -> str:
        return f"<event {self.cursor}: {self.type} (Event)>"


@dataclass(frozen=True)
class EventPage:
    """A page of the log: `next_after` is the cursor to read on from; a page shorter than `limit` means
    the reader has caught up with the log."""

    items: list[Event]
    next_after: int
    limit: int

    def __iter__(self) -> Iterator[Event]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def caught_up(self) -> bool:
        return len(self.items) < self.limit
