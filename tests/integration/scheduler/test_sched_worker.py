"""The scheduler worker end to end on both transports: a ScheduleRequested in, a ScheduleCompleted out
with tj3's dates; and R12: a hanging or missing tj3 gives a ScheduleFailed with the reason, once, and the
request is not redelivered."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_sched_tj3 import expected, tutorial

from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.contracts import ALL_CONTRACTS, ContractRegistry, Envelope
from stalker_shared.contracts.scheduling import ScheduleCompleted, ScheduleFailed, ScheduleRequested
from stalker_shared.messaging.queues import CATALOG_SCHEDULE_RESULTS, stalker_topology
from stalker_shared.messaging.transport import Delivery, OutgoingMessage
from stalker_shared.migrations import upgrade_to_head
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

from support.brokers import BrokerUnderTest
from support.databases import create_database, drop_database, sqlalchemy_url, unique_name

pytestmark = pytest.mark.tj3


@pytest.fixture(params=["embedded", "distributed"])
async def broker(
    request: pytest.FixtureRequest, namespace: str
) -> AsyncIterator[tuple[BrokerUnderTest, str]]:
    topology = stalker_topology(namespace, delivery_limit=3)
    database = None
    if request.param == "embedded":
        broker = BrokerUnderTest("memory", topology)
        url = f"sqlite+aiosqlite:///{request.getfixturevalue('tmp_path') / 'scheduler.db'}"
    else:
        server = request.getfixturevalue("pg_server")
        broker = BrokerUnderTest("rabbitmq", topology, url=request.getfixturevalue("amqp_server"))
        database = unique_name("stalker_sched")
        await create_database(server, database)
        url = sqlalchemy_url(server, database)
    try:
        yield broker, url
    finally:
        await broker.cleanup()
        if database:
            await drop_database(request.getfixturevalue("pg_server"), database)


async def run_scheduler(
    broker: BrokerUnderTest, database_url: str, request: ScheduleRequested, **settings: object
) -> list[ScheduleCompleted | ScheduleFailed]:
    """Start a scheduler worker, send the request as the catalog would, collect what comes back."""
    config = SchedulerSettings(
        database_url=database_url,
        messaging_namespace=broker.topology.namespace,
        **settings,  # type: ignore[arg-type]
    )
    runtime = Runtime(scheduler_definition(config), config, broker.transport(), topology=broker.topology)
    await upgrade_to_head(runtime.engine, runtime.definition.migrations)
    await runtime.open(migrate=False)
    workers = ServiceWorkers(runtime)
    await workers.start()
    results: list[ScheduleCompleted | ScheduleFailed] = []
    arrived = asyncio.Event()
    registry = ContractRegistry(ALL_CONTRACTS)

    async def collect(delivery: Delivery) -> None:
        _, outcome = registry.parse(delivery.body)
        assert isinstance(outcome, ScheduleCompleted | ScheduleFailed)
        results.append(outcome)
        arrived.set()
        await delivery.ack()

    listener = broker.transport()
    await listener.connect()
    consumption = await listener.consume(broker.topology.name(CATALOG_SCHEDULE_RESULTS), collect, 1)
    envelope = Envelope.wrap(request, correlation_id="sched-test", causation_id=None)
    await runtime.transport.publish(
        OutgoingMessage(
            exchange=broker.topology.name("catalog"),
            routing_key=envelope.routing_key,
            body=envelope.model_dump_json().encode(),
            message_id=str(envelope.message_id),
            correlation_id="sched-test",
            type=envelope.type,
        )
    )
    try:
        await asyncio.wait_for(arrived.wait(), timeout=90)
        await asyncio.sleep(1.0)  # anything more (a redelivery answered twice) would arrive now
    finally:
        await consumption.cancel()
        await workers.stop(grace=10)
        await runtime.close()
    return results


async def test_a_schedule_request_comes_back_with_tj3s_dates(broker: tuple[BrokerUnderTest, str]) -> None:
    transport, database_url = broker
    results = await run_scheduler(transport, database_url, tutorial())
    assert len(results) == 1
    outcome = results[0]
    assert isinstance(outcome, ScheduleCompleted), outcome
    assert outcome.job_id == 42
    computed = {t.id: (t.computed_start, t.computed_end) for t in outcome.tasks}
    want = expected()
    for task_id in (37, 38, 39, 40, 41):
        assert computed[task_id] == want[task_id]
    assert {"render", "tj3", "parse"} <= set(outcome.timings)


async def test_r12_a_hanging_tj3_is_answered_with_a_timeout_once(
    broker: tuple[BrokerUnderTest, str], tmp_path: Path
) -> None:
    hanging = tmp_path / "tj3"
    hanging.write_text("#!/bin/sh\nsleep 60\n")
    hanging.chmod(hanging.stat().st_mode | stat.S_IXUSR)
    transport, database_url = broker
    # Whichever engine runs (the driver's Ruby or the tj3 command), it hangs.
    results = await run_scheduler(
        transport,
        database_url,
        tutorial(),
        ruby_path=str(hanging),
        tj3_path=str(hanging),
        tj3_timeout_seconds=1.0,
    )
    assert len(results) == 1, results
    assert isinstance(results[0], ScheduleFailed) and results[0].reason == "timeout"


async def test_r12_a_missing_tj3_says_how_to_install_it(
    broker: tuple[BrokerUnderTest, str], tmp_path: Path
) -> None:
    transport, database_url = broker
    # No Ruby for the driver, so the worker falls back to the tj3 command, which is missing too.
    results = await run_scheduler(
        transport,
        database_url,
        tutorial(),
        ruby_path=str(tmp_path / "no-ruby"),
        tj3_path=str(tmp_path / "no-tj3"),
    )
    assert len(results) == 1
    failed = results[0]
    assert isinstance(failed, ScheduleFailed) and failed.reason == "tj3_missing"
    assert "apt-get install tj3" in failed.message and "gem install taskjuggler" in failed.message
