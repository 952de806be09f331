"""Keeps the read model of the catalog's projects, their members and tasks, and of its users (what a
token's check needs: admin, active, token version): each state applied only when
it is newer than the one held (by revision), deletions kept as tombstones. A project's members go with
its state: replaced when the state is applied, removed with the project. The same rules store what a
fetch from the catalog returns, so an event and a fetch racing each other agree."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Table, delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.access import role_of
from stalker_shared.consumer import Handler
from stalker_shared.contracts import Contract, Envelope
from stalker_shared.contracts.catalog import (
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
    TaskCreated,
    TaskDeleted,
    TaskUpdated,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from stalker_shared.repository import upsert
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.catalog import ProjectMember, ProjectRef, TaskRef, UserAccount


class MemberFacts(BaseModel):
    """A project member: the user and their access level there (producer, lead, artist, viewer)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    user_id: int
    role: str | None = None


class ProjectFacts(BaseModel):
    """What this service keeps of a catalog project (from an event or the catalog's API)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    name: str = Field(max_length=256)
    code: str = Field(max_length=256)
    revision: int = Field(ge=1)
    members: list[MemberFacts] = []


class TaskFacts(BaseModel):
    """What this service keeps of a catalog task (from an event or the catalog's API)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    project_id: int
    parent_id: int | None = None
    kind: str = Field(default="task", max_length=16)
    name: str = Field(max_length=256)
    code: str | None = Field(default=None, max_length=256)
    type_id: int | None = None
    sequence_ids: list[int] = []
    revision: int = Field(ge=1)


class UserFacts(BaseModel):
    """What this service keeps of a catalog user: enough to check a token against."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    login: str = Field(max_length=256)
    is_admin: bool = False
    active: bool = True
    token_version: int = Field(default=0, ge=0)
    revision: int = Field(ge=1)


_MEMBERS = cast(Table, ProjectMember.__table__)


async def apply_project(session: AsyncSession, facts: ProjectFacts) -> None:
    values = {**facts.model_dump(exclude={"members"}), "deleted": False}
    newer = (ProjectRef.revision < facts.revision) & ProjectRef.deleted.is_(False)
    if await upsert(session, ProjectRef, values, {k: v for k, v in values.items() if k != "id"}, newer):
        # The row lock the upsert took orders racing writers: members follow the state that won.
        await _replace_members(session, facts.id, facts.members)


async def apply_project_deleted(session: AsyncSession, project_id: int, revision: int) -> None:
    tombstone = {"id": project_id, "name": "", "code": "", "revision": revision, "deleted": True}
    change = {"deleted": True, "revision": revision}
    await upsert(session, ProjectRef, tombstone, change, ProjectRef.revision <= revision)
    await _replace_members(session, project_id, [])  # a deleted project has no one left to show


async def _replace_members(session: AsyncSession, project_id: int, members: list[MemberFacts]) -> None:
    # Core statements on the table: membership is written for the system, never through a caller's scope.
    await session.execute(delete(_MEMBERS).where(_MEMBERS.c.project_id == project_id))
    roles = {m.user_id: role_of(m.role).value for m in members}  # one row per user: the last one named
    if roles:
        await session.execute(
            insert(_MEMBERS),
            [{"project_id": project_id, "user_id": u, "role": r} for u, r in roles.items()],
        )


async def apply_task(session: AsyncSession, facts: TaskFacts) -> None:
    values = {**facts.model_dump(), "deleted": False}
    newer = (TaskRef.revision < facts.revision) & TaskRef.deleted.is_(False)
    await upsert(session, TaskRef, values, {k: v for k, v in values.items() if k != "id"}, newer)


async def apply_task_deleted(session: AsyncSession, task_id: int, revision: int) -> None:
    tombstone = {
        "id": task_id,
        "project_id": 0,
        "kind": "task",
        "name": "",
        "revision": revision,
        "deleted": True,
    }
    change = {"deleted": True, "revision": revision}
    await upsert(session, TaskRef, tombstone, change, TaskRef.revision <= revision)


async def apply_user(session: AsyncSession, facts: UserFacts) -> None:
    values = {**facts.model_dump(), "deleted": False}
    newer = (UserAccount.revision < facts.revision) & UserAccount.deleted.is_(False)
    await upsert(session, UserAccount, values, {k: v for k, v in values.items() if k != "id"}, newer)


async def apply_user_deleted(session: AsyncSession, user_id: int, revision: int) -> None:
    tombstone = {
        "id": user_id,
        "login": "",
        "is_admin": False,
        "active": False,
        "token_version": 0,
        "revision": revision,
        "deleted": True,
    }
    change = {"deleted": True, "active": False, "is_admin": False, "revision": revision}
    await upsert(session, UserAccount, tombstone, change, UserAccount.revision <= revision)


async def on_user_state(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, UserCreated | UserUpdated)
    await apply_user(uow.session, UserFacts.model_validate(event.model_dump()))


async def on_user_deleted(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, UserDeleted)
    await apply_user_deleted(uow.session, event.id, event.revision)


async def on_project_state(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, ProjectCreated | ProjectUpdated)
    await apply_project(uow.session, ProjectFacts.model_validate(event.model_dump()))


async def on_project_deleted(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, ProjectDeleted)
    await apply_project_deleted(uow.session, event.id, event.revision)


async def on_task_state(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, TaskCreated | TaskUpdated)
    await apply_task(uow.session, TaskFacts.model_validate(event.model_dump()))


async def on_task_deleted(uow: UnitOfWork, _: Envelope, event: Contract) -> None:
    assert isinstance(event, TaskDeleted)
    await apply_task_deleted(uow.session, event.id, event.revision)


CATALOG_EVENT_HANDLERS: dict[type[Contract], Handler] = {
    ProjectCreated: on_project_state,
    ProjectUpdated: on_project_state,
    ProjectDeleted: on_project_deleted,
    TaskCreated: on_task_state,
    TaskUpdated: on_task_state,
    TaskDeleted: on_task_deleted,
    UserCreated: on_user_state,
    UserUpdated: on_user_state,
    UserDeleted: on_user_deleted,
}
