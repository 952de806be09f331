"""Reads and writes of projects and their members that the handlers need beyond a lookup by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from stalker_catalog.db.models import Project, ProjectUser, Role, Task, User

PROJECT_LOAD = (selectinload(Project.users), selectinload(Project.members))


async def task_revisions(session: AsyncSession, project_id: int) -> Sequence[Row[int, int]]:
    """(id, revision) of every task of the project, by id."""
    statement = select(Task.id, Task.revision).where(Task.project_id == project_id).order_by(Task.id)
    return (await session.execute(statement)).all()


async def member_rows(
    session: AsyncSession, project_id: int
) -> Sequence[Row[int, str, str, int | None, str, str, float]]:
    """(user id, name, login, role id, role name, role access, rate) of the project's members, by user id."""
    statement = (
        select(User.id, User.name, User.login, ProjectUser.role_id, Role.name, Role.access, ProjectUser.rate)
        .join(User, User.id == ProjectUser.user_id)
        .outerjoin(Role, Role.id == ProjectUser.role_id)
        .where(ProjectUser.project_id == project_id)
        .order_by(User.id)
    )
    return (await session.execute(statement)).all()


async def delete_member(session: AsyncSession, project_id: int, user_id: int) -> None:
    await session.execute(
        delete(ProjectUser).where(ProjectUser.project_id == project_id, ProjectUser.user_id == user_id)
    )


async def lock_projects_fresh(session: AsyncSession, project_ids: Sequence[int]) -> list[Project]:
    """The projects with PROJECT_LOAD, locked in id order and read again (unscoped: a role change reaches
    projects the caller cannot see)."""
    statement = (
        select(Project)
        .where(Project.id.in_(project_ids))
        .options(*PROJECT_LOAD)
        .order_by(Project.id)
        .execution_options(populate_existing=True, unscoped=True)
    )
    return list((await session.scalars(statement.with_for_update())).unique())


async def projects_with_role(session: AsyncSession, role_id: int) -> list[int]:
    """Ids of the projects where someone has the role (unscoped)."""
    statement = select(ProjectUser.project_id).where(ProjectUser.role_id == role_id).distinct()
    return list(await session.scalars(statement.execution_options(unscoped=True)))


async def project_with_code(session: AsyncSession, code: str, own_id: int | None = None) -> int | None:
    """Another project holding the code, across the studio (unscoped: projects the caller cannot see too)."""
    return await session.scalar(
        select(Project.id)
        .where(Project.code == code, Project.id != (own_id or -1))
        .execution_options(unscoped=True)
    )
