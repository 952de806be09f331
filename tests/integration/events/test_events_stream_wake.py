"""Live streams in an events API process hear of an event the worker process recorded at once, on
PostgreSQL: the recording's transaction notifies on commit, and the API's poller listens. Its poll is set
to 60 s here, so only the notification can explain a prompt wake-up."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stalker_events.definition import events_definition
from stalker_events.service import recording
from stalker_events.service.head import LogHead
from stalker_events.settings import EventsSettings
from stalker_shared.contracts import Envelope
from stalker_shared.contracts.catalog import DepartmentDeleted
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

from support.databases import listening_pids

pytestmark = pytest.mark.postgres


@pytest.fixture
async def api_and_worker(pg_database: str, tmp_path: Path) -> AsyncIterator[tuple[Runtime, Runtime]]:
    settings = EventsSettings(database_url=pg_database, data_dir=tmp_path)
    runtimes = [
        Runtime(events_definition(settings), settings, InMemoryTransport(InMemoryBroker()), role=role)
        for role in ("api", "worker")
    ]
    await runtimes[0].open(migrate=True)
    await runtimes[1].open()
    try:
        yield runtimes[0], runtimes[1]
    finally:
        for runtime in runtimes:
            await runtime.close()


async def _record(worker: Runtime, n: int) -> None:
    contract = DepartmentDeleted(id=n, revision=1)
    envelope = Envelope.wrap(contract, correlation_id=str(uuid.uuid4()), causation_id=None)
    async with worker.unit_of_work() as uow:
        await recording.record_event(uow, envelope, contract)
        await uow.commit()


async def test_a_recording_in_the_worker_wakes_the_api_streams(
    api_and_worker: tuple[Runtime, Runtime],
) -> None:
    api, worker = api_and_worker
    head = LogHead(poll_seconds=60, per_user=5, total=10)
    head.open(1, api.sessionmaker)
    try:
        for _ in range(100):
            if await listening_pids(api.sessionmaker):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # the first look is done: the next is 60 s away
        for n in range(1, 4):
            started = time.monotonic()
            await _record(worker, n)
            await head.wait_past(n - 1, timeout=20)
            assert time.monotonic() - started < 10, f"event {n} waited for the poll"
    finally:
        head.close(1)
        head.stop()  # the poller ends now, its listening connection with it
        await asyncio.sleep(0.2)


class _Head(LogHead):
    """A LogHead that says when its poller has left its loop."""

    def __init__(self) -> None:
        super().__init__(poll_seconds=0.1, per_user=5, total=10)
        self.left_loop = asyncio.Event()

    async def _poll_while_open(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        await super()._poll_while_open(sessionmaker)
        self.left_loop.set()


async def test_a_stream_opened_as_the_poller_ends_gets_a_poller(
    api_and_worker: tuple[Runtime, Runtime],
) -> None:
    """The poller ends when the last stream closes; one opened just as it does must not be left alone
    (it heard of new events only at its 15 s heartbeat)."""
    api, worker = api_and_worker
    head = _Head()
    head.open(1, api.sessionmaker)
    await asyncio.sleep(0.5)
    head.close(1)
    await head.left_loop.wait()
    head.open(2, api.sessionmaker)  # as the poller ends
    try:
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await _record(worker, 1)
        await head.wait_past(0, timeout=10)
        assert time.monotonic() - started < 5, "the new stream had no poller"
    finally:
        head.close(2)
        head.stop()
        await asyncio.sleep(0.2)
