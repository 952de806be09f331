"""PostgreSQL databases for tests: one template per service migrated once by Alembic, then a fresh
copy per test (CREATE DATABASE ... TEMPLATE is fast)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import text


def asyncpg_dsn(server_url: str, database: str = "postgres") -> str:
    parts = urlsplit(server_url)
    return urlunsplit(("postgresql", parts.netloc, f"/{database}", "", ""))


def sqlalchemy_url(server_url: str, database: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{database}", "", ""))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


async def create_database(server_url: str, name: str, template: str | None = None) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await connection.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await connection.close()


async def drop_database(server_url: str, name: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@contextmanager
def migrated_template(server_url: str, prefix: str, runtime_for: Callable[[str], Any]) -> Iterator[str]:
    """A database migrated to head (and bootstrapped) once per test session, copied by each test.
    `runtime_for(database_url)` builds the service's Runtime on it."""
    name = unique_name(prefix)

    async def build() -> None:
        await create_database(server_url, name)
        runtime = runtime_for(sqlalchemy_url(server_url, name))
        await runtime.migrate()
        await runtime.close()

    asyncio.run(build())
    try:
        yield name
    finally:
        asyncio.run(drop_database(server_url, name))


_LISTENING = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'"


async def listening_pids(sessionmaker: Any) -> list[int]:
    """The backends of this database whose connection LISTENs (a relay's, a stream poller's)."""
    async with sessionmaker() as session:
        return list(await session.scalars(text(_LISTENING)))
