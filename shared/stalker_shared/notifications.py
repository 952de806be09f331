"""PostgreSQL notifications between processes: a transaction sends one (`notify`), delivered when and
only if it commits, and a process that waits for such commits (a relay in a service's worker, the live
streams of an events API) listens on a connection of its own instead of waiting for its next poll. The
polls go on beside it: a listener down (its connection lost, the database restarting) only slows things
to them until it is back. Each service has a database of its own, and a notification stays inside one.
SQLite has none: there the writers and the waiters share one process and wake each other directly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from stalker_shared.logging import get_logger
from stalker_shared.waiting import first_set

_log = get_logger(__name__)


async def notify(session: AsyncSession, channel: str) -> None:
    """Tell the listeners of `channel` once this session's transaction commits (nothing on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


async def listen(dsn: str, channel: str, wake: Callable[[], None], stop: asyncio.Event) -> None:
    """Call `wake` on every notification of `channel` until `stop`, and once each time listening
    (re)starts, for what was committed while nobody listened. A lost connection is opened again after a
    pause growing to 10 s."""

    async def pause(seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(Exception),  # whatever it was, the polls go on meanwhile
        wait=wait_exponential(multiplier=0.5, max=10),
        sleep=pause,
        before_sleep=lambda state: _log.warning(
            "listener lost; waiting on polls until it is back",
            channel=channel,
            error=repr(state.outcome.exception() if state.outcome else None)[:300],
        ),
    )
    async for attempt in retrying:
        with attempt:
            await _listen_until_lost(dsn, channel, wake, stop)


async def _listen_until_lost(dsn: str, channel: str, wake: Callable[[], None], stop: asyncio.Event) -> None:
    if stop.is_set():
        return
    connection = await asyncpg.connect(dsn, timeout=10)
    lost = asyncio.Event()
    try:
        connection.add_termination_listener(lambda _: lost.set())
        await connection.add_listener(channel, lambda *_: wake())
        wake()
        await first_set(stop, lost)
    finally:
        with contextlib.suppress(Exception):
            await connection.close(timeout=5)
    if lost.is_set() and not stop.is_set():
        raise ConnectionError(f"the connection listening on {channel} was closed")
