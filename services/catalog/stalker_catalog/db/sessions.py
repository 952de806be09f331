"""Refresh tokens (stored as hashes, rotated on use) and the failed-login counters behind the login
throttle, with their queries. Both live in the database so that several catalog processes agree."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from stalker_catalog.db.base import Base
from stalker_shared.db import utcnow


class RefreshToken(Base):
    """One refresh token: only its SHA-256 is kept. Valid while unused, unexpired, and issued at the user's
    current token version; a used one presented again means it leaked (see service/sessions.py)."""

    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginFailure(Base):
    """Failed logins of one account (`account:<login>`) or one address (`address:<ip>`) in a fixed window."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime]


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    return await session.scalar(statement)


async def forget_expired_refresh_tokens(session: AsyncSession, user_id: int) -> None:
    now = utcnow()
    await session.execute(
        delete(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.expires_at <= now)
    )


async def failure_windows(session: AsyncSession, keys: list[str]) -> list[LoginFailure]:
    return list(await session.scalars(select(LoginFailure).where(LoginFailure.key.in_(keys))))


async def count_failure(session: AsyncSession, key: str, window: timedelta) -> None:
    """One more failure for `key`, in one atomic statement (concurrent logins of several processes add
    up); a window that has ended starts again at this failure."""
    now = utcnow()
    table = LoginFailure.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(key=key, failures=1, window_started_at=now)
    ended = table.c.window_started_at <= now - window
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((ended, 1), else_=table.c.failures + 1),
            "window_started_at": case((ended, now), else_=table.c.window_started_at),
        },
    )
    await session.execute(statement)


async def forget_ended_windows(session: AsyncSession, window: timedelta) -> None:
    """Counters whose window has ended count nothing: many guessed logins or addresses leave no trace."""
    await session.execute(delete(LoginFailure).where(LoginFailure.window_started_at <= utcnow() - window))


async def clear_failures(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.key == key))
