"""Handlers of time logs (reference §3.7): the work a resource did on a leaf task, between two times.

The checks, in order, each a 4xx problem naming the objects: the caller may log for this resource (their
own time, or anyone's for leads and producers); the task is a leaf in a status that takes time logs
(RTS, WIP, PREV, HREV, DREV); the resource is one of the task's resources or alternatives; the log
starts no earlier than each dependency allows (`onend`: its end, `onstart`: its start); the resource has
no other log meeting this one (enclosing ones included, which the reference misses). A first log moves an
RTS or HREV task to WIP, and the parents follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from stalker_catalog.db.tasks import Task
from stalker_catalog.db.tracking import NO_OVERLAP, TimeLog
from stalker_catalog.db.tracking_queries import add_logged, overlapping_log, task_user_ids, user_name
from stalker_catalog.domain.errors import Conflict, NotFound, ValidationFailed
from stalker_catalog.domain.time_logs import check_span
from stalker_catalog.domain.workflow import Workflow
from stalker_catalog.service.workflow import locked_in_project, open_workflow, save_workflow
from stalker_shared.access import Access, Operation
from stalker_shared.contracts.tracking import TimeLogCreated, TimeLogDeleted, TimeLogUpdated
from stalker_shared.db import DEADLOCK, sqlstate, utcnow
from stalker_shared.repository import get_one
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LogTime:
    task_id: int
    resource_id: int
    start: datetime
    end: datetime
    description: str = ""


def may_log_for(access: Access, project_id: int, resource_id: int) -> None:
    """Artists log their own time; leads and producers anyone's in their project."""
    own = resource_id == access.user_id
    access.require(Operation.TIME_LOG_OWN if own else Operation.TIME_LOG_ANY, project_id)


async def create_time_log(uow: UnitOfWork, command: LogTime) -> TimeLog:
    session = uow.session
    task = await get_one(session, Task, command.task_id, field="task_id")
    may_log_for(uow.access, task.project_id, command.resource_id)
    check_span(command.start, command.end, utcnow())
    workflow = await open_workflow(uow, task.project_id, task.id)
    workflow.change_logs(task.id)
    await _check_interval(uow, workflow, task.id, command.resource_id, command.start, command.end)
    log = TimeLog(
        task_id=task.id,
        project_id=task.project_id,
        resource_id=command.resource_id,
        start=command.start,
        end=command.end,
        description=command.description,
        created_by_id=uow.access.user_id or None,
    )
    session.add(log)
    await _flush(uow, log)
    await add_logged(session, task.id, log.seconds)
    workflow.nodes[task.id].logged_seconds += log.seconds
    workflow.log_time(task.id)
    await save_workflow(uow, workflow, "time_log")
    await uow.publish(TimeLogCreated.model_validate(log))
    return log


async def update_time_log(uow: UnitOfWork, log_id: int, changes: dict[str, Any]) -> TimeLog:
    session = uow.session
    log = await locked_in_project(uow, TimeLog, log_id)
    may_log_for(uow.access, log.project_id, log.resource_id)
    resource_id = changes.get("resource_id", log.resource_id)
    may_log_for(uow.access, log.project_id, resource_id)
    start, end = changes.get("start", log.start), changes.get("end", log.end)
    check_span(start, end, utcnow())
    workflow = await open_workflow(uow, log.project_id, log.task_id)
    workflow.change_logs(log.task_id)
    await _check_interval(uow, workflow, log.task_id, resource_id, start, end, own_id=log.id)
    before = log.seconds
    log.resource_id, log.start, log.end = resource_id, start, end
    if "description" in changes:
        log.description = changes["description"]
    await _flush(uow, log)
    await add_logged(session, log.task_id, log.seconds - before)
    await save_workflow(uow, workflow, "time_log")
    await uow.publish(TimeLogUpdated.model_validate(log))
    return log


async def delete_time_log(uow: UnitOfWork, log_id: int) -> None:
    session = uow.session
    log = await locked_in_project(uow, TimeLog, log_id)
    may_log_for(uow.access, log.project_id, log.resource_id)
    workflow = await open_workflow(uow, log.project_id, log.task_id)
    workflow.change_logs(log.task_id)
    event = TimeLogDeleted(
        id=log.id,
        revision=log.revision + 1,
        task_id=log.task_id,
        project_id=log.project_id,
        resource_id=log.resource_id,
    )
    seconds = log.seconds
    await session.delete(log)
    await session.flush()
    await add_logged(session, event.task_id, -seconds)
    workflow.nodes[event.task_id].logged_seconds -= seconds
    await save_workflow(uow, workflow, "time_log")
    await uow.publish(event)


async def _check_interval(
    uow: UnitOfWork,
    workflow: Workflow,
    task_id: int,
    resource_id: int,
    start: datetime,
    end: datetime,
    own_id: int | None = None,
) -> None:
    session = uow.session
    node = workflow.nodes[task_id]
    if resource_id not in await task_user_ids(session, task_id):
        who = await user_name(session, resource_id)
        if who is None:
            raise NotFound(f"no user with id {resource_id}", field="resource_id")
        raise ValidationFailed(
            f"{who} (id {resource_id}) is neither a resource nor an alternative resource of "
            f"{node.label()}: add them to the task first",
            field="resource_id",
        )
    for depends_on_id, target in node.depends.items():
        dependency = workflow.nodes[depends_on_id]
        earliest = dependency.end if target == "onend" else dependency.start
        if earliest is not None and start < earliest:
            raise Conflict(
                f"a time log of {node.label()} cannot start before {earliest.isoformat()}: it depends on "
                f"{dependency.label()} {target}",
                "start",
                depends_on_id=depends_on_id,
                earliest_start=earliest.isoformat(),
            )
    other = await overlapping_log(session, resource_id, start, end, own_id)
    if other is not None:
        raise _overlap(uow.access, resource_id, other)


def _overlap(access: Access, resource_id: int, other: TimeLog) -> Conflict:
    # The other log may be in a project the caller cannot see: its time is said, not its task.
    where = f" on task {other.task_id}" if access.sees(other.project_id) else ""
    return Conflict(
        f"user {resource_id} already has a time log from {other.start.isoformat()} to "
        f"{other.end.isoformat()}{where}: one person's time logs may not overlap",
        "start",
        other_start=other.start.isoformat(),
        other_end=other.end.isoformat(),
    )


# PostgreSQL checks an exclusion constraint after the row is in: two racing overlapping inserts each wait
# for the other's transaction, and the deadlock detector ends one of them. A deadlock here is most likely
# that race, but the transaction is over and cannot look, so its answer says so without asserting it.


async def _flush(uow: UnitOfWork, log: TimeLog) -> None:
    """The database's no-overlap constraint is the last word when two writers race past the check."""
    span = f"{log.start.isoformat()} to {log.end.isoformat()}"
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        if NO_OVERLAP not in str(exc.orig):
            raise
        raise Conflict(
            f"user {log.resource_id} already has a time log meeting {span}: one person's time logs may "
            "not overlap",
            "start",
        ) from None
    except DBAPIError as exc:
        if sqlstate(exc) != DEADLOCK:
            raise
        raise Conflict(
            f"another change was saved at the same time as this time log of user {log.resource_id} "
            f"({span}), most likely another log of theirs meeting it; nothing was saved: look at their "
            "logs and retry",
            "start",
        ) from None
