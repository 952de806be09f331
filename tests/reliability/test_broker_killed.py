"""R2: the RabbitMQ node is killed (SIGKILL to its pid, asked of the node itself; never a name pattern)
while messages flow through outbox, relay and consumer, then started again. Every message the broker
confirmed before the kill is delivered; those it had not confirmed stay in the outbox and are sent again;
no effect is applied twice. The test starts the broker again in `finally` whatever happens."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from stalker_shared.workers import ServiceWorkers

from support.brokers import RecordingTransport, eventually
from support.harness import ProbeHarness
from support.probe import duplicates_seen, effected, produce
from support.servers import in_ci

# RabbitMQ goes away for every other test meanwhile: `make test` runs this alone, before the parallel pass.
pytestmark = pytest.mark.serial

BATCHES, PER_BATCH = 30, 10


def rabbitmqctl(*args: str, timeout: float = 60) -> str:
    done = subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=timeout)
    return done.stdout


def broker_pid() -> int:
    """The node's own OS pid (not a process found by name)."""
    pid = int(rabbitmqctl("eval", "os:getpid().").strip().strip('"'))
    assert b"beam" in Path(f"/proc/{pid}/cmdline").read_bytes(), f"{pid} is not the Erlang VM"
    return pid


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def broker_answers() -> bool:
    try:
        rabbitmqctl("await_startup", "--timeout", "1", timeout=20)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return False
    return True


def start_broker() -> None:
    """Start the node as the machine starts it (.ci/run) and wait until it takes connections."""
    subprocess.run(["rabbitmq-server", "-detached"], check=True, capture_output=True, timeout=60)
    deadline = time.monotonic() + 120
    while not broker_answers():
        if time.monotonic() > deadline:
            raise RuntimeError("RabbitMQ did not start again within 120 s")
        time.sleep(0.5)


@pytest.fixture
def broker_control() -> None:
    missing = [c for c in ("rabbitmqctl", "rabbitmq-server") if shutil.which(c) is None]
    reason = None
    if missing:
        reason = f"{', '.join(missing)} not on this machine (the broker runs elsewhere)"
    elif os.geteuid() != 0:
        reason = "killing and starting the broker needs root (rabbitmq-server switches to its user)"
    if reason is not None:
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


async def test_r2_a_killed_broker_loses_no_confirmed_message_and_resends_the_rest(
    distributed_probe: ProbeHarness, broker_control: None
) -> None:
    probe = distributed_probe
    quick = f"{probe.broker.url}?reconnect_interval=0.5"  # aio-pika waits 5 s between attempts by default
    recording = RecordingTransport(probe.broker.transport(quick))
    runtime = await probe.runtime(recording)  # type: ignore[arg-type]
    workers = ServiceWorkers(runtime)
    await workers.start()
    redelivered_before = duplicates_seen()
    producing = asyncio.create_task(produce(runtime, BATCHES, PER_BATCH))
    confirmed_before_kill: set[str] = set()
    killed_at = time.monotonic()
    try:
        await asyncio.sleep(1.0)
        pid = await asyncio.to_thread(broker_pid)
        confirmed_before_kill = set(recording.history.confirmed)
        killed_at = time.monotonic()
        await asyncio.to_thread(kill, pid)
        await asyncio.sleep(1.0)  # commits go on meanwhile: they wait in the outbox
    finally:
        if not await asyncio.to_thread(broker_answers):
            await asyncio.to_thread(start_broker)
    back_at = time.monotonic()
    written = await producing

    async def drained() -> bool:
        return await runtime.relay.backlog() == 0 and len(await effected(probe.engine)) >= len(written)

    try:
        await eventually(drained, timeout=90, what="every message after the broker came back")
        drained_at = time.monotonic()
        await asyncio.sleep(1.0)  # a late duplicate would show up now
    finally:
        await workers.stop(grace=10)

    applied = await effected(probe.engine)
    distinct, history = set(applied), recording.history
    effected_ids = {str(i) for i in distinct}
    lost = len(written - distinct)
    lost_confirmed = len(confirmed_before_kill - effected_ids)
    resent = history.failed & history.confirmed
    duplicated = len(applied) - len(distinct)
    unexpected = len(distinct - written)
    print(
        f"R2: written {len(written)}, confirmed before the kill {len(confirmed_before_kill)}, "
        f"publishes attempted {len(history.attempted)}, not confirmed at first {len(history.failed)} "
        f"(all resent from the outbox: {resent == history.failed}), effected {len(distinct)}, "
        f"copies acked without effect {duplicates_seen() - redelivered_before:.0f}; "
        f"lost {lost}, lost confirmed {lost_confirmed}, duplicated {duplicated}, unexpected {unexpected}; "
        f"broker away {back_at - killed_at:.1f} s, drained {drained_at - back_at:.1f} s after it was back"
    )
    assert (lost, lost_confirmed, duplicated, unexpected) == (0, 0, 0, 0)
    assert confirmed_before_kill, "nothing was confirmed before the kill: the test did not bite"
    assert history.failed, "no publish failed while the broker was away: the test did not bite"
    assert resent == history.failed, "a message the broker did not confirm was not sent again"
