"""The caller's access as this service knows it, and the scope rules that keep a caller's queries to the
projects they are a member of. This service keeps no users: admin rights are the token's word, project
roles the catalog's (its project states carry their members, kept in project_member)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.access import Access, role_of
from stalker_shared.auth import Principal
from stalker_shared.scope import ScopeRules, scope_session
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.catalog import ProjectMember, ProjectRef, TaskRef
from stalker_versions.db.storage import ProjectRepository, ProjectStorage
from stalker_versions.db.versions import Version

# Every model that belongs to one project. Repositories, structures and filename templates are the
# studio's, shared by all projects; counters and version links are reached only through a version.
SCOPE_RULES: ScopeRules = {
    ProjectRef: lambda ids: ProjectRef.id.in_(ids),
    TaskRef: lambda ids: TaskRef.project_id.in_(ids),
    Version: lambda ids: Version.project_id.in_(ids),
    ProjectStorage: lambda ids: ProjectStorage.project_id.in_(ids),
    ProjectRepository: lambda ids: ProjectRepository.project_id.in_(ids),
}

_ROLES = select(ProjectMember.project_id, ProjectMember.role).where(
    ProjectMember.user_id == bindparam("user_id")
)


async def load_access(session: AsyncSession, claims: Principal) -> Access:
    """Admin from the token's claims; roles from the read model in one query (none for an admin, whom
    roles do not limit)."""
    if claims.is_admin:
        return Access(claims.user_id, claims.login, True)
    rows = await session.execute(_ROLES, {"user_id": claims.user_id})
    return Access(claims.user_id, claims.login, False, {p: role_of(r) for p, r in rows})


async def enter_scope(uow: UnitOfWork, claims: Principal) -> Access:
    """For a handler that opens its own units of work: the caller's access read inside this one, and its
    session kept to the caller's projects from here on."""
    uow.access = await load_access(uow.session, claims)
    scope_session(uow.session, SCOPE_RULES, uow.access.project_ids)
    return uow.access
