"""Admin rights: the rule that the studio keeps at least one active admin, and the revocation of the tokens
of a user whose admin rights or password changed, who was deactivated, or who logged out."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from stalker_catalog.db.access import active_admin_ids, lock_admins
from stalker_catalog.db.models import User
from stalker_catalog.domain.errors import Conflict
from stalker_shared.unit_of_work import UnitOfWork

LAST_ADMIN_RULE = "last-admin"


class LastAdmin(Conflict):
    """A change that would leave the studio without an active admin (409)."""

    def __init__(self) -> None:
        super().__init__(
            "the studio must keep at least one active admin: the last one cannot be deleted, "
            "deactivated or removed from the admins group (make another user admin first)",
            rule=LAST_ADMIN_RULE,
        )


async def admins_before_change(uow: UnitOfWork) -> set[int]:
    """The active admins, read under the admins group's lock; call before locking any user row."""
    await lock_admins(uow.session)
    return await active_admin_ids(uow.session)


async def settle_admins(uow: UnitOfWork, before: set[int]) -> None:
    """After a change (flushed): refuse it if no active admin is left, and revoke the tokens of every
    user who gained or lost admin rights, so that no token carries rights its user no longer has."""
    after = await active_admin_ids(uow.session)
    if before and not after:  # a studio with no admin at all is repaired by `init`, not blocked here
        raise LastAdmin
    await revoke_tokens(uow, before ^ after)


async def revoke_tokens(uow: UnitOfWork, user_ids: Iterable[int]) -> None:
    """Bump the users' token version: their access and refresh tokens are refused from the commit on."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    for user in await uow.session.scalars(select(User).where(User.id.in_(ids))):
        user.token_version += 1
    await uow.session.flush()
