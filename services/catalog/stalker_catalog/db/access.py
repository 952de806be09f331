"""The caller's access, read from the catalog's own rows at the start of each request, and the scope
rules that keep a caller's queries to the projects they are a member of."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.notes import Note
from stalker_catalog.db.people import ADMINS, Group, GroupUser, Role, User
from stalker_catalog.db.projects import Project, ProjectUser
from stalker_catalog.db.tasks import Task
from stalker_catalog.db.tracking import Review, TimeLog
from stalker_catalog.db.version_mirror import KnownVersion
from stalker_shared.access import Access, role_of
from stalker_shared.auth import Principal
from stalker_shared.errors import DomainError
from stalker_shared.scope import ScopeRules

__all__ = ["ADMINS", "SCOPE_RULES", "UnknownCaller", "load_access"]

SCOPE_RULES: ScopeRules = {
    Project: lambda ids: Project.id.in_(ids),
    ProjectUser: lambda ids: ProjectUser.project_id.in_(ids),
    Task: lambda ids: Task.project_id.in_(ids),
    TimeLog: lambda ids: TimeLog.project_id.in_(ids),
    Review: lambda ids: Review.project_id.in_(ids),
    Note: lambda ids: Note.project_id.in_(ids),
    KnownVersion: lambda ids: KnownVersion.project_id.in_(ids),
}


class UnknownCaller(DomainError):
    """The token is signed but its user is gone or deactivated, or the token was revoked (401)."""

    http_status = 401


async def load_access(session: AsyncSession, claims: Principal) -> Access:
    """Admin rights and memberships as they are now, not as the token says: a demoted admin or a user
    removed from a project loses access at once. The token must name a user who still exists and is
    active, at the user's current token version (a revoked token is refused)."""
    is_admin = exists().where(
        GroupUser.user_id == User.id, GroupUser.group_id == Group.id, Group.name == ADMINS
    )
    statement = select(User.login, User.active, User.token_version, is_admin.label("is_admin")).where(
        User.id == claims.user_id
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise UnknownCaller("the token's user no longer exists; log in again")
    if not row.active:
        raise UnknownCaller("the token's user is deactivated")
    if row.token_version != claims.token_version:
        raise UnknownCaller(
            "the token was revoked (logout, password or admin-rights change, deactivation); log in again"
        )
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


async def lock_admins(session: AsyncSession) -> None:
    """Every change that can take admin rights away locks the admins group's row first (before any user
    row, so two such changes never deadlock): two admins demoting each other at once are serialized, and
    the second finds it would remove the last admin."""
    await session.execute(select(Group.id).where(Group.name == ADMINS).with_for_update())


async def active_admin_ids(session: AsyncSession) -> set[int]:
    statement = (
        select(GroupUser.user_id)
        .join(Group, Group.id == GroupUser.group_id)
        .join(User, User.id == GroupUser.user_id)
        .where(Group.name == ADMINS, User.active.is_(True))
    )
    return set(await session.scalars(statement))
