"""Handlers for statuses and status lists: one transaction each, events in the outbox.

Types and image formats live in `service/vocabulary.py`; the helpers for "still referenced" checks and
entity type names are shared from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db import status_queries
from stalker_catalog.db.models import STATUS_LIST_LOAD, Project, Status, StatusList, StatusListStatus, Task
from stalker_catalog.db.repository import get_many, get_one, ids_where
from stalker_catalog.domain.errors import Conflict, StillReferenced
from stalker_catalog.domain.names import normalize_name
from stalker_catalog.service.events import touch
from stalker_shared.contracts.catalog import (
    StatusCreated,
    StatusDeleted,
    StatusListCreated,
    StatusListDeleted,
    StatusListUpdated,
    StatusUpdated,
)
from stalker_shared.unit_of_work import UnitOfWork

# Task-tree targets and the `task.kind` of their members (members use the target's default list).
TASK_KINDS = {"Task": "task", "Asset": "asset", "Shot": "shot", "Sequence": "sequence", "Scene": "scene"}
KNOWN_TARGETS = (*TASK_KINDS, "Project", "Ticket", "Daily", "Review", "Budget", "Message", "Variant")
_CANONICAL = {name.lower(): name for name in KNOWN_TARGETS}


def target_entity_type(raw: str) -> str:
    """A target entity type name; names the catalog knows get its spelling ("project" -> "Project")."""
    name = normalize_name(raw, field="target_entity_type")
    return _CANONICAL.get(name.lower(), name)


async def referenced_by(session: AsyncSession, checks: dict[str, tuple[Any, Any]]) -> dict[str, list[int]]:
    """For each kind -> (id column, condition): the ids of the rows that match, kinds without any left out."""
    found: dict[str, list[int]] = {}
    for kind, (column, condition) in checks.items():
        ids = await ids_where(session, column, condition)
        if ids:
            found[kind] = list(ids)
    return found


def refuse_if_referenced(what: str, found: dict[str, list[int]], action: str = "deleted") -> None:
    if found:
        where = "; ".join(f"{kind} {', '.join(map(str, ids))}" for kind, ids in found.items())
        raise StillReferenced(f"{what} cannot be {action}: still used by {where}", found)


# Statuses


@dataclass(frozen=True)
class CreateStatus:
    name: str
    code: str
    description: str = ""


async def create_status(uow: UnitOfWork, command: CreateStatus) -> Status:
    code = command.code.strip()
    await _check_unique_code(uow.session, code)
    status = Status(name=normalize_name(command.name), code=code, description=command.description)
    uow.session.add(status)
    await uow.session.flush()
    await uow.publish(StatusCreated.model_validate(status))
    return status


async def update_status(uow: UnitOfWork, status_id: int, changes: dict[str, Any]) -> Status:
    session = uow.session
    status = await get_one(session, Status, status_id, for_update=True)
    code_changed = "code" in changes and changes["code"].strip() != status.code
    if code_changed:
        code = changes["code"].strip()
        await _check_unique_code(session, code, status.id)
        # Projects and tasks hold the code itself; renaming it under them would break them.
        users = await referenced_by(
            session,
            {
                "project": (Project.id, Project.status == status.code),
                "task": (Task.id, Task.status == status.code),
            },
        )
        refuse_if_referenced(f"the code of status {status.code!r} (id {status.id})", users, "changed")
        status.code = code
    if "name" in changes:
        status.name = normalize_name(changes["name"])
    if "description" in changes:
        status.description = changes["description"]
    touch(status)
    await session.flush()
    await uow.publish(StatusUpdated.model_validate(status))
    if code_changed:
        # Status lists carry their statuses' codes in their events.
        for status_list in await status_queries.lists_with_status(session, status.id):
            touch(status_list)
            await session.flush()
            await uow.publish(StatusListUpdated.model_validate(status_list))
    return status


async def delete_status(uow: UnitOfWork, status_id: int) -> None:
    session = uow.session
    status = await get_one(session, Status, status_id, for_update=True)
    found = await referenced_by(
        session,
        {
            "status_list": (StatusListStatus.status_list_id, StatusListStatus.status_id == status_id),
            "project": (Project.id, Project.status == status.code),
            "task": (Task.id, Task.status == status.code),
        },
    )
    refuse_if_referenced(f"status {status.code!r} (id {status_id})", found)
    revision = status.revision
    await session.delete(status)
    await session.flush()
    await uow.publish(StatusDeleted(id=status_id, revision=revision + 1))


async def _check_unique_code(session: AsyncSession, code: str, own_id: int | None = None) -> None:
    clash = await status_queries.status_with_code(session, code, own_id)
    if clash is not None:
        raise Conflict(f"status code {code!r} is already used by status {clash}", field="code")


# Status lists


@dataclass(frozen=True)
class CreateStatusList:
    name: str
    target_entity_type: str
    status_ids: tuple[int, ...]
    is_default: bool = False
    description: str = ""


async def create_status_list(uow: UnitOfWork, command: CreateStatusList) -> StatusList:
    session = uow.session
    target = target_entity_type(command.target_entity_type)
    if command.is_default:
        await _check_single_default(session, target)
    status_list = StatusList(
        name=normalize_name(command.name),
        description=command.description,
        target_entity_type=target,
        is_default=command.is_default,
        statuses=await get_many(session, Status, command.status_ids, "status_ids"),
    )
    session.add(status_list)
    await session.flush()
    await uow.publish(StatusListCreated.model_validate(status_list))
    return status_list


async def update_status_list(uow: UnitOfWork, status_list_id: int, changes: dict[str, Any]) -> StatusList:
    session = uow.session
    status_list = await get_one(session, StatusList, status_list_id, *STATUS_LIST_LOAD, for_update=True)
    if "name" in changes:
        status_list.name = normalize_name(changes["name"])
    if "description" in changes:
        status_list.description = changes["description"]
    if changes.get("is_default") and not status_list.is_default:
        await _check_single_default(session, status_list.target_entity_type)
    if "is_default" in changes:
        status_list.is_default = changes["is_default"]
    if "status_ids" in changes:
        statuses = await get_many(session, Status, changes["status_ids"], "status_ids")
        await _check_statuses_kept(session, status_list, [s.code for s in statuses])
        status_list.statuses = statuses
    touch(status_list)
    await session.flush()
    await uow.publish(StatusListUpdated.model_validate(status_list))
    return status_list


async def delete_status_list(uow: UnitOfWork, status_list_id: int) -> None:
    session = uow.session
    status_list = await get_one(session, StatusList, status_list_id, *STATUS_LIST_LOAD, for_update=True)
    checks: dict[str, tuple[Any, Any]] = {"project": (Project.id, Project.status_list_id == status_list_id)}
    kind = TASK_KINDS.get(status_list.target_entity_type)
    if status_list.is_default and kind is not None:
        checks["task"] = (Task.id, Task.kind == kind)
    found = await referenced_by(session, checks)
    refuse_if_referenced(f"status list {status_list.name!r} (id {status_list_id})", found)
    revision = status_list.revision
    await session.delete(status_list)
    await session.flush()
    await uow.publish(StatusListDeleted(id=status_list_id, revision=revision + 1))


async def _check_single_default(session: AsyncSession, target: str) -> None:
    clash = await status_queries.default_list_id(session, target)
    if clash is not None:
        raise Conflict(
            f"status list {clash} is already the default for {target}; unset it first", field="is_default"
        )


async def _check_statuses_kept(session: AsyncSession, status_list: StatusList, codes: list[str]) -> None:
    """Members of the list may not be left with a status the list no longer has."""
    checks: dict[str, tuple[Any, Any]] = {
        "project": (Project.id, (Project.status_list_id == status_list.id) & Project.status.not_in(codes))
    }
    kind = TASK_KINDS.get(status_list.target_entity_type)
    if status_list.is_default and kind is not None:
        checks["task"] = (Task.id, (Task.kind == kind) & Task.status.not_in(codes))
    found = await referenced_by(session, checks)
    refuse_if_referenced(f"statuses of status list {status_list.name!r}", found, "removed")
