"""The caller's access as this service knows it, and the scope rules that keep a caller's queries to the
projects they are a member of.

The token is checked against the user as the catalog's user events left it here (user_account): the user
exists, is active, and the token carries the user's current token version; admin rights are the table's,
never the token's. Project roles are the catalog's too (its project states carry their members).

The window before a user's first event, or before the event of a newer token version (a new password, a
login after a logout), arrives: this service then asks the catalog who the token's caller is (`GET
/catalog/v1/auth/me` with the caller's own token) and takes its answer for this request. The catalog checks
the token against its own rows, so an unknown, deleted, deactivated or revoked user gets the catalog's 401
here too. Once the event arrives, no more questions: one indexed read per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.access import Access, role_of
from stalker_shared.auth import Principal
from stalker_shared.errors import DomainError
from stalker_shared.scope import ScopeRules, scope_session
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.catalog import ProjectMember, ProjectRef, TaskRef, UserAccount
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
_USER = select(
    UserAccount.is_admin, UserAccount.active, UserAccount.token_version, UserAccount.deleted
).where(UserAccount.id == bindparam("user_id"))


class UnknownCaller(DomainError):
    """The token is signed but its user is gone or deactivated, or the token was revoked (401)."""

    http_status = 401


@dataclass(frozen=True)
class CatalogCaller:
    """Who the catalog says a token's caller is, now."""

    user_id: int
    login: str
    is_admin: bool


class CallerLookup(Protocol):
    async def caller(self, token: str) -> CatalogCaller:
        """The catalog's answer for this token; UnknownCaller when it refuses the token."""
        ...


async def load_access(session: AsyncSession, claims: Principal, catalog: CallerLookup) -> Access:
    """The token checked against the user held here (or the catalog's word, see above); roles from the
    read model in one query (none for an admin, whom roles do not limit)."""
    is_admin = await _caller_is_admin(session, claims, catalog)
    if is_admin:
        return Access(claims.user_id, claims.login, True)
    rows = await session.execute(_ROLES, {"user_id": claims.user_id})
    return Access(claims.user_id, claims.login, False, {p: role_of(r) for p, r in rows})


async def _caller_is_admin(session: AsyncSession, claims: Principal, catalog: CallerLookup) -> bool:
    user = (await session.execute(_USER, {"user_id": claims.user_id})).one_or_none()
    if user is not None and user.deleted:
        raise UnknownCaller("the token's user no longer exists; log in again")
    if user is not None and user.token_version > claims.token_version:
        raise UnknownCaller(
            "the token was revoked (logout, password or admin-rights change, deactivation); log in again"
        )
    if user is None or user.token_version < claims.token_version:
        # Not heard of yet, or the token is newer than the state held: its event is on its way.
        answer = await catalog.caller(claims.token)
        if answer.user_id != claims.user_id:
            raise UnknownCaller("the catalog does not know this token's user")
        return answer.is_admin
    if not user.active:
        raise UnknownCaller("the token's user is deactivated")
    return bool(user.is_admin)


async def enter_scope(uow: UnitOfWork, claims: Principal, catalog: CallerLookup) -> Access:
    """For a handler that opens its own units of work: the caller's access read inside this one, and its
    session kept to the caller's projects from here on."""
    uow.access = await load_access(uow.session, claims, catalog)
    scope_session(uow.session, SCOPE_RULES, uow.access.project_ids)
    return uow.access
