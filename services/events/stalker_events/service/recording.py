"""Recording: each message the services publish becomes one row of the log, with its project for scoping.

Cursor order is commit order. An id is taken at INSERT but a row becomes visible at COMMIT, so two
transactions could take 10 and 11 and commit 11 first: a reader at 9 would see 11, move on and never see
10 (the gap ShotGrid's event daemon loops on). On PostgreSQL each recording therefore takes a
transaction-level advisory lock just before its INSERT; the lock is let go only once the commit is
visible, so the next recording's id is taken after this row can be read. It covers the INSERT and the
commit, not the handler. SQLite needs nothing: its writers already run one at a time (BEGIN IMMEDIATE)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_events.db.log import Event, TaskProject
from stalker_events.domain.patterns import project_of, task_of
from stalker_events.service.fanout import fan_out, keep_roles, keep_standing
from stalker_events.service.head import LOG_CHANNEL
from stalker_shared.consumer import Handler
from stalker_shared.contracts import Contract, ContractRegistry, Envelope
from stalker_shared.contracts.catalog import ProjectState, TaskState, UserDeleted, UserState
from stalker_shared.db import utcnow
from stalker_shared.notifications import notify
from stalker_shared.repository import upsert
from stalker_shared.unit_of_work import UnitOfWork

# Any constant of this service's own database: only recordings take it.
LOG_ORDER_LOCK = 0x5354_4C4B_4556_4E54  # "STLKEVNT"
_TASK_PROJECT = select(TaskProject.project_id).where(TaskProject.id == bindparam("task_id"))


async def record_event(uow: UnitOfWork, envelope: Envelope, event: Contract) -> int:
    """Record one message; how many webhook deliveries it queued."""
    session = uow.session
    project_id = await _project_of(session, event)
    if isinstance(event, TaskState):  # a task's deletion will name only the task
        row = {"id": event.id, "project_id": event.project_id}
        await upsert(session, TaskProject, row, {"project_id": event.project_id})
    if isinstance(event, ProjectState):
        await keep_roles(session, event)
    if isinstance(event, UserState | UserDeleted):
        await keep_standing(session, event)
    await take_log_order(session)
    await notify(session, LOG_CHANNEL)  # the live streams of every API process look at once
    recorded = Event(
        message_id=envelope.message_id,
        type=envelope.type,
        version=envelope.version,
        producer=envelope.producer,
        occurred_at=envelope.occurred_at,
        recorded_at=utcnow(),
        correlation_id=envelope.correlation_id,
        causation_id=envelope.causation_id,
        project_id=project_id,
        payload=envelope.payload,
    )
    session.add(recorded)
    await session.flush()
    return await fan_out(session, recorded)


async def take_log_order(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_ORDER_LOCK})


async def _project_of(session: AsyncSession, event: Contract) -> int | None:
    task_id = task_of(event)
    found = None if task_id is None else await session.scalar(_TASK_PROJECT, {"task_id": task_id})
    return project_of(event, lambda _: found)


def record_handlers(
    registry: ContractRegistry, recorded: Callable[[bool], None] = lambda _: None
) -> dict[type[Contract], Handler]:
    """Every contract the registry can parse is recorded; once committed, `recorded(queued_deliveries)`
    wakes what waits in this process (the live streams' poller, the webhook sender)."""

    async def record(uow: UnitOfWork, envelope: Envelope, event: Contract) -> None:
        queued = await record_event(uow, envelope, event)
        uow.after_commit(lambda: recorded(queued > 0))

    return {contract: record for contract in registry.contracts()}
