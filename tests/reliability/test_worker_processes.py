"""Worker processes under stress, on PostgreSQL and RabbitMQ: R3 (a consumer killed with SIGKILL several
times while it drains a queue) and R11 (SIGTERM mid-batch: in-flight work finishes, the process exits
cleanly, nothing is lost; or, when the work outlasts the grace period, the worker returns it to the queue
and exits within the grace, and nothing is lost either). The deployments rely on that bound: a container's
stop timeout (terminationGracePeriodSeconds, stop_grace_period) is set above it (tests/deploy)."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from support.brokers import eventually
from support.harness import ProbeHarness
from support.probe import effect, effect_count
from support.probe_process import publish, start_worker

# Kills or stops processes and times how they go: in the "process_kills" xdist group, one such test at a time
# (on one worker) while the other workers run the rest.
pytestmark = pytest.mark.xdist_group("process_kills")


async def history(probe: ProbeHarness) -> tuple[int, int]:
    """(effects, distinct messages effected)."""
    async with probe.engine.connect() as connection:
        total = await connection.scalar(select(func.count()).select_from(effect))
        distinct = await connection.scalar(select(func.count(func.distinct(effect.c.message_id))))
    return int(total or 0), int(distinct or 0)


def redeliveries(log: Path) -> int:
    """Messages the workers processed on a second or later delivery (from their JSON logs)."""
    count = 0
    for line in log.read_text().splitlines():
        if '"message processed"' in line:
            count += json.loads(line).get("deliveries", 0) > 0
    return count


async def test_r3_consumer_killed_repeatedly_loses_and_duplicates_nothing(
    distributed_probe: ProbeHarness, tmp_path: Path
) -> None:
    probe, sent = distributed_probe, 1000
    await publish(probe, sent)
    log = tmp_path / "worker.log"
    kills = 0
    for _ in range(4):
        before = await effect_count(probe.engine)
        worker = start_worker(probe, delay=0.02, log=log)

        async def consuming(before: int = before) -> bool:
            return await effect_count(probe.engine) > before

        # Killed once it consumes (a fixed delay lost the race to a slow start-up: nothing was in flight),
        # with messages in flight: its prefetch window is held while each effect takes 20 ms.
        await eventually(consuming, timeout=60, what="the worker to start consuming")
        await asyncio.sleep(0.3)
        worker.send_signal(signal.SIGKILL)  # by pid: no clean-up, unacked messages return to the queue
        worker.wait()
        kills += 1
    worker = start_worker(probe, delay=0.0, log=log)
    try:

        async def drained() -> bool:
            return await effect_count(probe.engine) >= sent

        await eventually(drained, timeout=120, what="the queue to drain after the kills")
        await asyncio.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    total, distinct = await history(probe)
    assert kills == 4
    assert distinct == sent, f"lost {sent - distinct}"  # confirmed - effected = 0
    assert total == sent, f"duplicated effects: {total - sent}"
    assert redeliveries(log) > 0, "no redelivery was observed: the kills did not bite"


async def test_r11_sigterm_mid_batch_finishes_in_flight_work_and_exits_cleanly(
    distributed_probe: ProbeHarness, tmp_path: Path
) -> None:
    probe, sent = distributed_probe, 60
    await publish(probe, sent)
    log = tmp_path / "worker.log"
    worker = start_worker(probe, delay=0.3, log=log)  # slow effects: SIGTERM lands while 8 are in flight

    async def started() -> bool:
        return await effect_count(probe.engine) >= 4

    await eventually(started, timeout=30, what="the worker to start consuming")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, log.read_text()[-2000:]
    assert "workers stopped" in log.read_text() and '"clean": true' in log.read_text()
    partial, _ = await history(probe)
    assert 0 < partial < sent
    worker = start_worker(probe, delay=0.0, log=log)
    try:

        async def drained() -> bool:
            return await effect_count(probe.engine) >= sent

        await eventually(drained, timeout=60, what="the rest after restart")
        await asyncio.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    total, distinct = await history(probe)
    assert (total, distinct) == (sent, sent)


async def test_r11_sigterm_with_work_outlasting_the_grace_returns_it_to_the_queue_within_the_grace(
    distributed_probe: ProbeHarness, tmp_path: Path
) -> None:
    probe, sent, grace = distributed_probe, 20, 1.0
    await publish(probe, sent)
    log = tmp_path / "worker.log"
    # Each effect takes 30 s inside its transaction: nothing can finish within the 1 s grace.
    worker = start_worker(probe, delay=30.0, log=log, grace=grace)

    async def holding() -> bool:
        return '"workers started"' in log.read_text()

    await eventually(holding, timeout=30, what="the worker to start consuming")
    await asyncio.sleep(1.0)  # the prefetched messages are in flight
    stopped_at = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(timeout=30)
    elapsed = time.monotonic() - stopped_at
    # Not clean (work was cut), but prompt: the grace, then closing the connections.
    assert code == 1, log.read_text()[-2000:]
    assert elapsed < grace + 5, f"took {elapsed:.1f}s to stop with a {grace}s grace"
    assert '"clean": false' in log.read_text()
    assert await effect_count(probe.engine) == 0  # the cut transactions were rolled back
    worker = start_worker(probe, delay=0.0, log=log)
    try:

        async def drained() -> bool:
            return await effect_count(probe.engine) >= sent

        await eventually(drained, timeout=60, what="the returned messages to be processed after restart")
        await asyncio.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    total, distinct = await history(probe)
    assert (total, distinct) == (sent, sent)
    assert redeliveries(log) > 0, "no message came back: the held ones were not returned to the queue"
