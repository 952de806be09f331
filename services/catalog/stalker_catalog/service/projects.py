"""Handlers for projects and their users: one transaction each, events in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db import project_queries, status_queries
from stalker_catalog.db.models import (
    STATUS_LIST_LOAD,
    ImageFormat,
    Project,
    ProjectUser,
    Role,
    StatusList,
    User,
)
from stalker_catalog.db.project_queries import PROJECT_LOAD
from stalker_catalog.db.repository import get_many, get_one
from stalker_catalog.domain.errors import Conflict, ValidationFailed
from stalker_catalog.domain.names import normalize_name
from stalker_catalog.service.events import touch
from stalker_shared.access import Operation, role_of
from stalker_shared.contracts.catalog import (
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
    TaskDeleted,
)
from stalker_shared.unit_of_work import UnitOfWork

PROJECT_TARGET = "Project"


@dataclass(frozen=True)
class CreateProject:
    name: str
    code: str
    description: str = ""
    status_list_id: int | None = None
    status: str | None = None
    image_format_id: int | None = None
    fps: float = 25.0
    start: datetime | None = None
    end: datetime | None = None
    user_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ProjectMember:
    user_id: int
    name: str
    login: str
    role_id: int | None
    role: str | None
    access: str
    rate: float


async def create_project(uow: UnitOfWork, command: CreateProject) -> Project:
    uow.access.require_admin()
    session = uow.session
    code = command.code.strip()
    await _check_unique_code(session, code)
    status_list = await _status_list(session, command.status_list_id)
    await _check_image_format(session, command.image_format_id)
    start, end = _dates(command.start, command.end)
    project = Project(
        name=normalize_name(command.name),
        code=code,
        description=command.description,
        status_list_id=status_list.id,
        status=_status_in(status_list, command.status),
        image_format_id=command.image_format_id,
        fps=command.fps,
        start=start,
        end=end,
        users=[],
    )
    session.add(project)
    await session.flush()
    for user in await get_many(session, User, command.user_ids, "user_ids"):
        session.add(ProjectUser(project_id=project.id, user_id=user.id, rate=user.rate))
    await session.flush()
    await session.refresh(project, ["users", "members"])
    await uow.publish(ProjectCreated.model_validate(project))
    return project


async def update_project(uow: UnitOfWork, project_id: int, changes: dict[str, Any]) -> Project:
    uow.access.require(Operation.PROJECT_EDIT, project_id)
    session = uow.session
    project = await get_one(session, Project, project_id, *PROJECT_LOAD, for_update=True)
    if "name" in changes:
        project.name = normalize_name(changes["name"])
    if "code" in changes and changes["code"].strip() != project.code:
        await _check_unique_code(session, changes["code"].strip(), project_id)
        project.code = changes["code"].strip()
    if "status_list_id" in changes or "status" in changes:
        # A new list keeps the current status only if the list has it.
        status_list = await _status_list(session, changes.get("status_list_id", project.status_list_id))
        project.status = _status_in(status_list, changes.get("status", project.status))
        project.status_list_id = status_list.id
    if "image_format_id" in changes:
        await _check_image_format(session, changes["image_format_id"])
        project.image_format_id = changes["image_format_id"]
    project.start, project.end = _dates(changes.get("start", project.start), changes.get("end", project.end))
    for key in ("description", "fps"):
        if key in changes:
            setattr(project, key, changes[key])
    touch(project)
    await session.flush()
    await uow.publish(ProjectUpdated.model_validate(project))
    return project


async def delete_project(uow: UnitOfWork, project_id: int) -> None:
    """Deletes the project and (by the database's cascade) its tasks, with one event for each."""
    uow.access.require(Operation.PROJECT_DELETE, project_id)
    session = uow.session
    # The row lock also holds back new tasks (their foreign key check waits), so the list is complete.
    project = await get_one(session, Project, project_id, *PROJECT_LOAD, for_update=True)
    tasks = await project_queries.task_revisions(session, project_id)
    revision = project.revision
    await session.delete(project)
    await session.flush()
    await uow.publish(ProjectDeleted(id=project_id, revision=revision + 1))
    for task_id, task_revision in tasks:
        await uow.publish(TaskDeleted(id=task_id, revision=task_revision + 1))


async def project_members(uow: UnitOfWork, project_id: int) -> list[ProjectMember]:
    await get_one(uow.session, Project, project_id)
    rows = await project_queries.member_rows(uow.session, project_id)
    return [
        ProjectMember(user_id, name, login, role_id, role, role_of(access).value, rate)
        for user_id, name, login, role_id, role, access, rate in rows
    ]


async def add_project_user(
    uow: UnitOfWork, project_id: int, user_id: int, role_id: int | None = None, rate: float | None = None
) -> ProjectMember:
    """Adds a user to a project with a role; the rate defaults to the user's own rate."""
    uow.access.require(Operation.MEMBERS_MANAGE, project_id)
    session = uow.session
    project = await get_one(session, Project, project_id, *PROJECT_LOAD, for_update=True)
    [user] = await get_many(session, User, [user_id], "user_id")
    role = (await get_many(session, Role, [role_id], "role_id"))[0] if role_id is not None else None
    if user in project.users:
        raise Conflict(f"user {user.login!r} is already in project {project.code!r}", field="user_id")
    member = ProjectUser(
        project_id=project_id, user_id=user_id, role_id=role_id, rate=user.rate if rate is None else rate
    )
    session.add(member)
    await _publish_members_changed(uow, project)
    return ProjectMember(
        user.id,
        user.name,
        user.login,
        role_id,
        role.name if role else None,
        role_of(role.access if role else None).value,
        member.rate,
    )


async def remove_project_user(uow: UnitOfWork, project_id: int, user_id: int) -> None:
    uow.access.require(Operation.MEMBERS_MANAGE, project_id)
    session = uow.session
    project = await get_one(session, Project, project_id, *PROJECT_LOAD, for_update=True)
    if user_id not in {u.id for u in project.users}:
        raise ValidationFailed(f"user {user_id} is not in project {project.code!r}", field="user_id")
    await project_queries.delete_member(session, project_id, user_id)
    await _publish_members_changed(uow, project)


async def republish_projects_of_role(
    uow: UnitOfWork, role_id: int, project_ids: list[int] | None = None
) -> None:
    """A role's access changed (or the role went): its members' access changed in every project that
    uses it, and other services hear it from each project's event."""
    if project_ids is None:
        project_ids = await projects_with_role(uow, role_id)
    if not project_ids:
        return
    for project in await project_queries.lock_projects_fresh(uow.session, project_ids):
        await _publish_members_changed(uow, project)


async def projects_with_role(uow: UnitOfWork, role_id: int) -> list[int]:
    return await project_queries.projects_with_role(uow.session, role_id)


async def _publish_members_changed(uow: UnitOfWork, project: Project) -> None:
    touch(project)
    await uow.session.flush()
    await uow.session.refresh(project, ["users", "members"])
    await uow.publish(ProjectUpdated.model_validate(project))


async def _check_unique_code(session: AsyncSession, code: str, own_id: int | None = None) -> None:
    # Unscoped: a code is unique across the studio, projects the caller cannot see included.
    clash = await project_queries.project_with_code(session, code, own_id)
    if clash is not None:
        raise Conflict(f"project code {code!r} is already used by another project", field="code")


async def _status_list(session: AsyncSession, status_list_id: int | None) -> StatusList:
    """The given list, which must target Project, or the default list for Project."""
    if status_list_id is None:
        default = await status_queries.default_status_list(session, PROJECT_TARGET)
        if default is None:
            raise ValidationFailed(
                "there is no default status list for Project; pass status_list_id", field="status_list_id"
            )
        return default
    [status_list] = await get_many(session, StatusList, [status_list_id], "status_list_id", *STATUS_LIST_LOAD)
    if status_list.target_entity_type != PROJECT_TARGET:
        raise ValidationFailed(
            f"status list {status_list.name!r} (id {status_list.id}) is for "
            f"{status_list.target_entity_type}, not for Project",
            field="status_list_id",
        )
    return status_list


def _status_in(status_list: StatusList, code: str | None) -> str:
    """The status code as the list spells it (matched case-insensitively); the list's first by default."""
    codes = [s.code for s in status_list.statuses]
    if not codes:
        raise ValidationFailed(f"status list {status_list.name!r} has no statuses", field="status_list_id")
    if code is None:
        return codes[0]
    match = next((c for c in codes if c.upper() == code.strip().upper()), None)
    if match is None:
        raise ValidationFailed(
            f"status {code!r} is not in status list {status_list.name!r} (id {status_list.id}); "
            f"use one of {', '.join(codes)}",
            field="status",
        )
    return match


async def _check_image_format(session: AsyncSession, image_format_id: int | None) -> None:
    if image_format_id is not None:
        await get_many(session, ImageFormat, [image_format_id], "image_format_id")


def _dates(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    start, end = (d.astimezone(UTC) if d is not None else None for d in (start, end))
    if start is not None and end is not None and end <= start:
        raise ValidationFailed(
            f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="end"
        )
    return start, end
