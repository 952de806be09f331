"""What an explanation works on and gives: a group of tj3's messages, and findings of a kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stalker_scheduler.tjp.messages import Tj3Message
from stalker_shared.contracts.scheduling import ProblemKind


@dataclass
class Group:
    """A message that says what went wrong, with the ones that follow from it (tj3's infos, its list of
    unscheduled tasks, its closing error); `task_id`/`resource_id` are what the first one names, or the
    .tjp block its line is in."""

    messages: list[Tj3Message]
    task_id: int | None = None
    resource_id: int | None = None
    closes: list[Group] = field(default_factory=list)
    """For the error that ends a run, the causes it ends it for."""

    @property
    def first(self) -> Tj3Message:
        return self.messages[0]

    def infos(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """The later messages of the group that match `pattern`."""
        return [m for message in self.messages[1:] if (m := pattern.match(message.text))]


@dataclass(frozen=True)
class Finding:
    """One thing tj3 could not do, for one task and (if one is to blame) one resource."""

    kind: ProblemKind
    explanation: str
    task_id: int | None = None
    resource_id: int | None = None
