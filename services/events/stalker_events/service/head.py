"""Noticing new events for the live streams: one poller per process reads the log's largest cursor while
any stream is open and wakes the streams waiting past it. It looks at once when this process recorded an
event (`nudge`) or, on PostgreSQL, when any process did: the worker's recording transaction sends
LOG_CHANNEL's notification on commit, which the poller listens for while it runs. Otherwise it looks
every `poll_seconds` (SQLite's writers share the process; a listener being reconnected), one indexed
query per process per tick, however many streams are open."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import suppress

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from stalker_events.db.log import Event
from stalker_shared.logging import get_logger
from stalker_shared.notifications import listen, listen_params

_log = get_logger(__name__)
LOG_CHANNEL = "stalker_events_log"


class TooManyStreams(Exception):
    """The caller's or the process's limit of open streams is reached."""


class LogHead:
    def __init__(self, poll_seconds: float, per_user: int, total: int) -> None:
        self._poll_seconds, self._per_user, self._total = poll_seconds, per_user, total
        self._head = 0
        self._moved = asyncio.Condition()
        self._open: Counter[int] = Counter()
        self._poller: asyncio.Task[None] | None = None
        self._nudged = asyncio.Event()
        self.stopped = False
        self._waking: asyncio.Task[None] | None = None
        self._ending: set[asyncio.Task[None]] = set()  # listeners being closed, kept until they end

    def stop(self) -> None:
        """The server is stopping: every stream waiting here returns now and ends."""
        self.stopped = True
        self._nudged.set()
        self._waking = asyncio.get_running_loop().create_task(self._wake_all())  # kept: not collected

    async def _wake_all(self) -> None:
        async with self._moved:
            self._moved.notify_all()

    def nudge(self) -> None:
        """Something was recorded in this process: look now, not at the next tick."""
        self._nudged.set()

    def open(self, user_id: int, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Count a stream in (TooManyStreams past a limit) and make sure the poller runs."""
        if self._open[user_id] >= self._per_user:
            raise TooManyStreams(f"at most {self._per_user} streams per user are open at once")
        if self._open.total() >= self._total:
            raise TooManyStreams(f"this server holds its most streams ({self._total}); try another or later")
        self._open[user_id] += 1
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(sessionmaker))

    def close(self, user_id: int) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]

    async def wait_past(self, cursor: int, timeout: float) -> None:
        """Return once the head is past `cursor`, or after `timeout`."""
        async with self._moved:
            with suppress(TimeoutError):
                await asyncio.wait_for(
                    self._moved.wait_for(lambda: self._head > cursor or self.stopped), timeout
                )

    async def _poll(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        engine = sessionmaker.kw.get("bind")
        params = listen_params(engine) if isinstance(engine, AsyncEngine) else None
        done = asyncio.Event()
        listener = asyncio.create_task(listen(params, LOG_CHANNEL, self.nudge, done)) if params else None
        try:
            await self._poll_while_open(sessionmaker)
        finally:
            # Ended in its own time, not awaited: a stream opened from now on finds this poller done and
            # starts another.
            done.set()
            if listener is not None:
                listener.cancel()
                self._ending.add(listener)
                listener.add_done_callback(self._ending.discard)

    async def _poll_while_open(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        while self._open:
            try:
                async with sessionmaker() as session:
                    head = await session.scalar(select(func.max(Event.id))) or 0
            except Exception:  # the database away for a moment: the streams wait, the next tick retries
                _log.warning("reading the event log's head failed", exc_info=True)
            else:
                if head != self._head:
                    self._head = head
                    async with self._moved:
                        self._moved.notify_all()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._nudged.wait(), self._poll_seconds)
            self._nudged.clear()
