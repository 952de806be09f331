"""The caller's access, read from the catalog's own rows at the start of each request, and the scope
rules that keep a caller's queries to the projects they are a member of."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.people import Group, GroupUser, Role, User
from stalker_catalog.db.projects import Project, ProjectUser
from stalker_catalog.db.tasks import Task
from stalker_shared.access import Access, role_of
from stalker_shared.auth import Principal
from stalker_shared.errors import DomainError
from stalker_shared.scope import ScopeRules

ADMINS = "admins"

SCOPE_RULES: ScopeRules = {
    Project: lambda ids: Project.id.in_(ids),
    ProjectUser: lambda ids: ProjectUser.project_id.in_(ids),
    Task: lambda ids: Task.project_id.in_(ids),
}


class UnknownCaller(DomainError):
    """The token is valid but its user is gone (401)."""

    http_status = 401


async def load_access(session: AsyncSession, claims: Principal) -> Access:
    """Admin rights and memberships as they are now, not as the token says: a demoted admin or a user
    removed from a project loses access at once."""
    is_admin = exists().where(
        GroupUser.user_id == User.id, GroupUser.group_id == Group.id, Group.name == ADMINS
    )
    row = (
        await session.execute(select(User.login, is_admin.label("is_admin")).where(User.id == claims.user_id))
    ).one_or_none()
    if row is None:
        raise UnknownCaller("the token's user no longer exists; log in again")
    roles = await session.execute(
        select(ProjectUser.project_id, Role.access)
        .outerjoin(Role, Role.id == ProjectUser.role_id)
        .where(ProjectUser.user_id == claims.user_id)
    )
    return Access(
        claims.user_id,
        row.login,
        bool(row.is_admin),
        {project_id: role_of(access) for project_id, access in roles.all()},
    )
