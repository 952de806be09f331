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
from sqlalchemy import text

from stalker_events.definition import events_definition
from stalker_events.service import recording
from stalker_events.service.head import LogHead
from stalker_events.settings import EventsSettings
from stalker_shared.contracts import Envelope
from stalker_shared.contracts.catalog import DepartmentDeleted
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime

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
        listening = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
        for _ in range(100):
            async with api.sessionmaker() as session:
                if await session.scalar(listening):
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
