"""Logging in, refreshing a session and logging out.

A login checks the throttle first (failed logins of the account and of the address, counted in the
database so that every catalog process sees them), then the password against its Argon2 hash in a worker
thread with no transaction open; a failure is counted in a transaction of its own. A success gives a
short-lived access token and a refresh token. A refresh token is used once: it gives a new pair, and one
presented a second time means a copy exists, so every session of its user is revoked. A logout revokes every
token of the user (the token version moves on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from stalker_catalog.db.models import User
from stalker_catalog.db.people_queries import USER_LOAD
from stalker_catalog.db.sessions import (
    RefreshToken,
    clear_failures,
    count_failure,
    failure_windows,
    forget_ended_windows,
    forget_expired_refresh_tokens,
    refresh_token_by_hash,
)
from stalker_catalog.domain.names import normalize_login
from stalker_catalog.security import (
    STRONG,
    Argon2Cost,
    new_refresh_token,
    refresh_token_hash,
    verify_password,
)
from stalker_catalog.service.admins import revoke_tokens
from stalker_shared.auth import Principal
from stalker_shared.contracts.catalog import UserUpdated
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork


class LoginFailed(Exception):
    """Wrong login or password (which one is not told), or a deactivated account."""


class RefreshRefused(Exception):
    """A refresh token that is unknown, used, expired or revoked."""


class TooManyAttempts(Exception):
    """The login throttle: too many failed logins of this account or from this address."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many failed logins {what}; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Throttle:
    per_account: int
    per_address: int
    window: timedelta


@dataclass(frozen=True)
class LogIn:
    login: str
    password: str
    address: str
    cost: Argon2Cost = STRONG  # the settings' hashing cost: a hash made at another is made again


@dataclass(frozen=True)
class Session:
    """What a login or a refresh gives: the caller's claims and a new refresh token."""

    principal: Principal
    refresh_token: str


Units = Callable[[], UnitOfWork]


async def log_in(units: Units, command: LogIn, throttle: Throttle, refresh_lifetime: timedelta) -> Session:
    try:
        login = normalize_login(command.login)
    except ValueError:
        login = ""
    account, address = f"account:{login}"[:320], f"address:{command.address}"[:320]
    async with units() as uow:
        await uow.read_first()
        await _check_throttle(uow, throttle, account, address)
        user = (
            await uow.session.execute(
                select(User.id, User.password_hash, User.active).where(User.login == login)
            )
        ).one_or_none()
    valid, new_hash = await verify_password(
        command.password, user.password_hash if user else None, command.cost
    )
    if user is None or not valid:
        async with units() as uow:
            await forget_ended_windows(uow.session, throttle.window)
            await count_failure(uow.session, account, throttle.window)
            await count_failure(uow.session, address, throttle.window)
            await uow.commit()
        raise LoginFailed("wrong login or password")
    if not user.active:
        raise LoginFailed("this account is deactivated")
    async with units() as uow:
        account_row = await uow.session.get(
            User, user.id, options=[selectinload(User.groups)], with_for_update=True
        )
        if account_row is None:  # deleted while its password was checked
            raise LoginFailed("wrong login or password")
        if new_hash is not None:
            account_row.password_hash = new_hash  # the stored hash used outdated parameters
        await clear_failures(uow.session, account)
        session = await _new_session(uow, account_row, refresh_lifetime)
        await uow.commit()
    return session


async def _check_throttle(uow: UnitOfWork, throttle: Throttle, account: str, address: str) -> None:
    now = utcnow()
    for window in await failure_windows(uow.session, [account, address]):
        limit = throttle.per_account if window.key == account else throttle.per_address
        ends = window.window_started_at + throttle.window
        if window.failures >= limit and ends > now:
            what = "of this account" if window.key == account else "from this address"
            raise TooManyAttempts(what, max(1, int((ends - now).total_seconds() + 0.999)))


async def refresh(units: Units, token: str, lifetime: timedelta) -> Session:
    async with units() as uow:
        stored = await refresh_token_by_hash(uow.session, refresh_token_hash(token))
        if stored is None:
            raise RefreshRefused("unknown refresh token; log in again")
        user = await uow.session.get(User, stored.user_id, options=list(USER_LOAD), with_for_update=True)
        if stored.used_at is not None and user is not None:
            # Someone holds a copy of a token already used: end every session of the user.
            await revoke_sessions(uow, user)
            await uow.commit()
            raise RefreshRefused("this refresh token was used before; every session is revoked: log in again")
        now = utcnow()
        if (
            user is None
            or not user.active
            or stored.expires_at <= now
            or stored.token_version != user.token_version
        ):
            raise RefreshRefused("the refresh token has expired or was revoked; log in again")
        stored.used_at = now
        session = await _new_session(uow, user, lifetime)
        await uow.commit()
    return session


async def log_out(uow: UnitOfWork, user_id: int) -> None:
    """Every token of the caller is refused from the commit on: access and refresh, on every device."""
    user = await uow.session.get(User, user_id, options=list(USER_LOAD), with_for_update=True)
    if user is not None:
        await revoke_sessions(uow, user)


async def end_session(uow: UnitOfWork, user_id: int, refresh_token: str) -> None:
    """This session's refresh token is forgotten (one of the caller's own; any other is left alone), so it
    can no longer be renewed; the caller's other sessions go on."""
    stored = await refresh_token_by_hash(uow.session, refresh_token_hash(refresh_token))
    if stored is not None and stored.user_id == user_id:
        await uow.session.delete(stored)


async def revoke_sessions(uow: UnitOfWork, user: User) -> None:
    await revoke_tokens(uow, [user.id])
    await uow.publish(UserUpdated.model_validate(user))


async def _new_session(uow: UnitOfWork, user: User, lifetime: timedelta) -> Session:
    await forget_expired_refresh_tokens(uow.session, user.id)
    token, token_hash = new_refresh_token()
    uow.session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=token_hash,
            token_version=user.token_version,
            expires_at=utcnow() + lifetime,
        )
    )
    await uow.session.flush()
    return Session(Principal(user.id, user.login, user.is_admin, user.token_version), token)
