"""The probe service's worker as a separate process (support/probe_worker.py) and a way to fill its
queue, for the tests that kill, stop or starve it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.harness import ProbeHarness
from support.probe import ProbeEvent

ROOT = Path(__file__).resolve().parents[1]


def start_worker(
    probe: ProbeHarness, delay: float, log: Path, grace: float = 15.0
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "support.probe_worker",
                str(probe.settings.database_url),
                str(probe.broker.url),
                probe.settings.messaging_namespace,
                str(delay),
                str(grace),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def publish(probe: ProbeHarness, count: int) -> None:
    runtime = await probe.runtime()
    async with runtime.unit_of_work() as uow:
        for n in range(count):
            await uow.publish(ProbeEvent(n=n))
        await uow.commit()
    while await runtime.relay.publish_pending():
        pass
