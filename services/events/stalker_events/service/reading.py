"""Reading the log by cursor. The head (largest cursor) is read first and the page kept at or below it:
since cursors are committed in order (recording.py), everything up to the head is visible, so a page
that comes back short moves the reader to the head even past events the filters left out, and nothing
committed meanwhile can be skipped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_events.db.log import Event, LogState
from stalker_events.domain.errors import CursorAhead, CursorExpired
from stalker_shared.scope import UNSCOPED


@dataclass(frozen=True)
class LogQuery:
    after: int | None  # None: from the oldest event retention kept
    types: Sequence[str] | None  # exact types (patterns already expanded); None: every type
    project_ids: Sequence[int]  # empty: every project the caller sees (and, for admins, the studio's)
    limit: int


@dataclass(frozen=True)
class LogPage:
    events: list[Event]
    next_after: int


async def pruned_through(session: AsyncSession) -> int:
    return await session.scalar(select(LogState.pruned_through).where(LogState.id == 1)) or 0


async def log_bounds(session: AsyncSession) -> tuple[int, int]:
    """What retention deleted through, and the newest cursor the log has given (its largest id, or the
    former when retention emptied it). The log's head, not the caller's last visible event: what the
    scope hides is passed over too, so a member's cursor keeps up with the log (no spinning stream, no
    false 410 once retention runs)."""
    pruned = await pruned_through(session)
    newest = await session.scalar(select(func.max(Event.id)).execution_options(**{UNSCOPED: True}))
    return pruned, max(newest or 0, pruned)


def check_cursor(after: int | None, pruned: int, head: int) -> None:
    """410 for a cursor retention has passed; 422 for one past the head, which this log never gave."""
    if after is None:
        return
    if after < pruned:
        raise CursorExpired(
            f"events up to cursor {pruned} were deleted by retention; read again from after={pruned} "
            "(or without `after`) and reconcile what may have been missed",
            "after",
            oldest_after=pruned,
        )
    if after > head:
        raise CursorAhead(
            f"cursor {after} is past the newest event ({head}): this log never gave it (a cursor of another "
            "database?); read without `after`, or from a cursor this log gave",
            "after",
            head=head,
        )


async def read_log(session: AsyncSession, query: LogQuery) -> LogPage:
    pruned, head = await log_bounds(session)
    check_cursor(query.after, pruned, head)
    after = max(query.after or 0, pruned)
    statement = select(Event).where(Event.id > after, Event.id <= head).order_by(Event.id).limit(query.limit)
    if query.types is not None:
        statement = statement.where(Event.type.in_(query.types))
    if query.project_ids:
        statement = statement.where(Event.project_id.in_(query.project_ids))
    events = list(await session.scalars(statement))
    full = len(events) == query.limit
    return LogPage(events, events[-1].id if full else head)  # after <= head: check_cursor saw to it
