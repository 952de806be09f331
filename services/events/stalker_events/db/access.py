"""Which events a caller may read: those of the projects they are a member of. The studio's own events
(no project: people, calendars, schedules across projects) are the admins'."""

from __future__ import annotations

from stalker_events.db.log import Event
from stalker_shared.scope import ScopeRules

SCOPE_RULES: ScopeRules = {Event: lambda ids: Event.project_id.in_(ids)}
