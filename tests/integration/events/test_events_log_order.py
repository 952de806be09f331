"""Cursor order is commit order on PostgreSQL: recordings that take their ids in one order and commit in
the other cannot make a reader tailing the log skip one. Without the advisory lock the same run makes the
reader miss an event (ShotGrid's event-daemon gap), which shows the test can fail."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_events.db.log import Event
from stalker_events.definition import events_definition
from stalker_events.service import recording
from stalker_events.service.reading import LogQuery, read_log
from stalker_events.settings import EventsSettings
from stalker_shared.contracts import Envelope
from stalker_shared.contracts.catalog import DepartmentDeleted
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

pytestmark = pytest.mark.postgres

WRITERS = 8
STAGGER = 0.08  # seconds between commits, the first id committing last


@pytest.fixture
async def events(pg_database: str, tmp_path: object) -> AsyncIterator[Runtime]:
    settings = EventsSettings(database_url=pg_database, data_dir=tmp_path)
    runtime = Runtime(events_definition(settings), settings, InMemoryTransport(InMemoryBroker()), role="test")
    await runtime.open(migrate=True)
    try:
        yield runtime
    finally:
        await runtime.close()


def an_event(n: int) -> tuple[Envelope, DepartmentDeleted]:
    contract = DepartmentDeleted(id=n, revision=1)
    return Envelope.wrap(contract, correlation_id=str(uuid.uuid4()), causation_id=None), contract


async def recordings_committing_in_reverse(runtime: Runtime) -> None:
    """WRITERS recordings started together; each holds its transaction open longer the earlier it
    started, so, unless something orders them, the first id taken is the last to commit."""

    async def write(n: int) -> None:
        async with runtime.unit_of_work() as uow:
            envelope, contract = an_event(n)
            await recording.record_event(uow, envelope, contract)
            await asyncio.sleep(STAGGER * (WRITERS - n))
            await uow.commit()

    async def staggered(n: int) -> None:
        await asyncio.sleep(0.01 * n)  # ids taken in the order 0, 1, 2...
        await write(n)

    await asyncio.gather(*(staggered(n) for n in range(WRITERS)))


async def tail(runtime: Runtime, done: asyncio.Event) -> list[int]:
    """A reader polling the log by cursor, as a sync tool does, until the writers are done and it has
    read everything up to the head."""
    seen: list[int] = []
    after = 0
    while True:
        finished = done.is_set()
        async with runtime.sessionmaker() as session:
            page = await read_log(session, LogQuery(after, None, (), 100))
        seen += [event.id for event in page.events]
        after = page.next_after
        if finished and not page.events:
            return seen
        await asyncio.sleep(0.01)


async def read_while_writing(runtime: Runtime) -> tuple[list[int], list[int]]:
    done = asyncio.Event()
    reader = asyncio.create_task(tail(runtime, done))
    await recordings_committing_in_reverse(runtime)
    done.set()
    seen = await reader
    async with runtime.sessionmaker() as session:
        stored = await _all_ids(session)
    return seen, stored


async def _all_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Event.id).order_by(Event.id)))


async def test_a_reader_tailing_by_cursor_misses_no_event_committed_out_of_order(events: Runtime) -> None:
    seen, stored = await read_while_writing(events)
    assert len(stored) == WRITERS
    assert seen == stored


async def test_without_the_lock_the_same_reader_misses_one(
    events: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_order(_: AsyncSession) -> None:
        return None

    monkeypatch.setattr(recording, "take_log_order", no_order)
    seen, stored = await read_while_writing(events)
    assert len(stored) == WRITERS
    assert set(seen) < set(stored), "the test no longer shows the gap it guards against"
