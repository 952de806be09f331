"""Outcomes of recent runs, keyed by the rendered .tjp: a repeated request with nothing changed is answered
without running tj3.

The .tjp holds everything tj3 sees (calendar, `now`, resources, tasks, the report's columns), so the same
text gives the same dates; the key is its SHA-256. Only successes are kept, in this process, the most
recent `size` of them (a 15,000-task outcome is a few megabytes).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from stalker_shared.contracts.scheduling import ScheduleCompleted


def tjp_key(tjp_text: str) -> str:
    """The cache key of a rendered .tjp."""
    return hashlib.sha256(tjp_text.encode("utf-8")).hexdigest()


class OutcomeCache:
    """A small LRU of ScheduleCompleted by .tjp key."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._outcomes: OrderedDict[str, ScheduleCompleted] = OrderedDict()

    def get(self, key: str) -> ScheduleCompleted | None:
        """The outcome stored under `key`, now the most recent, or None."""
        outcome = self._outcomes.get(key)
        if outcome is not None:
            self._outcomes.move_to_end(key)
        return outcome

    def put(self, key: str, outcome: ScheduleCompleted) -> None:
        """Keep `outcome`, dropping the least recently used beyond `size`."""
        if self.size <= 0:
            return
        self._outcomes[key] = outcome
        self._outcomes.move_to_end(key)
        while len(self._outcomes) > self.size:
            self._outcomes.popitem(last=False)
