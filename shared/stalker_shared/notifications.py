"""PostgreSQL notifications between processes: a transaction sends one (`notify`), delivered when and
only if it commits, and a process that waits for such commits (a relay in a service's worker, the live
streams of an events API) listens on a connection of its own instead of waiting for its next poll. The
polls go on beside it: a listener down (its connection lost, the database restarting) only slows things
to them until it is back. Each service has a database of its own, and a notification stays inside one.
SQLite has none: there the writers and the waiters share one process and wake each other directly.

PostgreSQL takes one cluster-wide lock while a notifying transaction commits, so those commits run one at
a time: a service notifies only where it must (a commit whose waiter is in another process)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from stalker_shared.logging import get_logger
from stalker_shared.waiting import first_set, pause

_log = get_logger(__name__)
CHECK_SECONDS = 30.0  # an idle listening connection is asked to answer this often (a silent network drop)
# Keys of SQLAlchemy's asyncpg dialect that are not asyncpg.connect's.
_DIALECT_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback")


async def notify(session: AsyncSession, channel: str) -> None:
    """Tell the listeners of `channel` once this session's transaction commits (nothing on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


def listen_params(engine: AsyncEngine) -> dict[str, Any] | None:
    """asyncpg.connect's arguments for the engine's database, as its own pool connects (host, TLS...);
    None where there is no PostgreSQL to listen to."""
    if engine.dialect.name != "postgresql":
        return None
    _, params = engine.dialect.create_connect_args(engine.url)
    return {key: value for key, value in params.items() if key not in _DIALECT_ONLY}


async def listen(
    params: Mapping[str, Any], channel: str, wake: Callable[[], None], stop: asyncio.Event
) -> None:
    """Call `wake` on every notification of `channel` until `stop`, and once each time listening
    (re)starts, for what was committed while nobody listened. A connection that cannot be made is tried
    again after a pause growing to 10 s, counted afresh once one has listened."""

    while not stop.is_set():
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),  # whatever it was, the polls go on meanwhile
            wait=wait_exponential(multiplier=0.5, max=10),
            sleep=partial(pause, stop),
            before_sleep=lambda state: _log.warning(
                "not listening; waiting on polls until it is back",
                channel=channel,
                error=repr(state.outcome.exception() if state.outcome else None)[:300],
            ),
        )
        async for attempt in retrying:
            with attempt:
                connection = None if stop.is_set() else await asyncpg.connect(**{"timeout": 10, **params})
        if connection is None:
            return
        try:
            await _listen_on(connection, channel, wake, stop)
        except Exception as exc:
            _log.warning("listening connection lost", channel=channel, error=repr(exc)[:300])
            await pause(stop, 0.5)
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)


async def _listen_on(
    connection: asyncpg.Connection, channel: str, wake: Callable[[], None], stop: asyncio.Event
) -> None:
    """Until `stop` (returns) or the connection is lost (raises)."""
    lost = asyncio.Event()
    connection.add_termination_listener(lambda _: lost.set())
    await connection.add_listener(channel, lambda *_: wake())
    wake()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first_set(stop, lost), CHECK_SECONDS)
        if lost.is_set():
            raise ConnectionError(f"the connection listening on {channel} was closed")
        if not stop.is_set():
            await connection.fetchval("SELECT 1", timeout=10)  # raises on a connection gone silently
