"""Logging in: a password checked against its Argon2 hash gives a short-lived access token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from stalker_catalog.db.access import ADMINS
from stalker_catalog.db.models import User
from stalker_catalog.domain.names import normalize_login
from stalker_catalog.security import verify_password
from stalker_shared.auth import Principal
from stalker_shared.unit_of_work import UnitOfWork


class LoginFailed(Exception):
    """Wrong login or password (which one is not told)."""


async def authenticate(uow: UnitOfWork, login: str, password: str) -> Principal:
    try:
        login = normalize_login(login)
    except ValueError:
        login = ""
    user = await uow.session.scalar(
        select(User).where(User.login == login).options(selectinload(User.groups))
    )
    valid, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not valid:
        raise LoginFailed
    if new_hash is not None:
        user.password_hash = new_hash
    return Principal(user.id, user.login, any(g.name == ADMINS for g in user.groups))
