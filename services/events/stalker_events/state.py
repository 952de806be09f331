"""The events service's long-lived collaborators, one set per runtime."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from stalker_events.service.head import LogHead
from stalker_shared.catalog_callers import CatalogCallers
from stalker_shared.runtime import Runtime


@dataclass
class EventsState:
    callers: CatalogCallers  # who a caller is: the catalog's word (tests answer it through its transport)
    head: LogHead  # the live streams' wake-up
    deliveries_due: asyncio.Event = field(default_factory=asyncio.Event)  # the webhook sender's

    def recorded(self, queued_deliveries: bool) -> None:
        """An event was committed in this process: streams and (if it queued any) deliveries go now
        rather than at their next poll (other processes poll)."""
        self.head.nudge()
        if queued_deliveries:
            self.deliveries_due.set()


def events_state(runtime: Runtime) -> EventsState:
    state = runtime.definition.state
    assert isinstance(state, EventsState)
    return state
