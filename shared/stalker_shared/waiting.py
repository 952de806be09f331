"""Waiting on several asyncio events at once (a wake-up or a stop, whichever comes first)."""

from __future__ import annotations

import asyncio
import contextlib


async def first_set(*events: asyncio.Event) -> None:
    """Return once any of `events` is set."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set first (a loop's wait between rounds)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
