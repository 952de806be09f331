"""The distributed host's supervisor with small stand-in processes: a process that dies is started again,
one that keeps dying waits longer each time, one that exits cleanly stays stopped, and stopping ends
everything, a pause included."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from tenacity import wait_fixed

from stalker_host.supervisor import Supervisor


def _script(record: Path, body: str) -> list[str]:
    """A child that appends its pid to `record` as it starts, then runs `body`."""
    code = f"import os, sys, time\nopen({str(record)!r}, 'a').write(f'{{os.getpid()}}\\n')\n{body}"
    return [sys.executable, "-c", code]


def _starts(record: Path) -> list[int]:
    return [int(line) for line in record.read_text().split()] if record.exists() else []


async def _until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_killed_process_is_started_again(tmp_path: Path) -> None:
    record = tmp_path / "starts"
    supervisor = Supervisor()
    await supervisor.start("sleeper", _script(record, "time.sleep(600)"), dict(os.environ))
    try:
        await _until(lambda: len(_starts(record)) == 1)
        os.kill(_starts(record)[0], signal.SIGKILL)
        await _until(lambda: len(_starts(record)) == 2)
        first, second = _starts(record)
        assert second != first
        assert [p.returncode for p in supervisor.processes] == [None]  # the new one runs
    finally:
        await supervisor.stop(grace=10)
    assert [p.returncode for p in supervisor.processes] == [-signal.SIGTERM]
    assert len(_starts(record)) == 2  # stopping started nothing again


async def test_a_process_that_keeps_dying_waits_longer_each_time(tmp_path: Path) -> None:
    record = tmp_path / "starts"
    supervisor = Supervisor()  # the real pauses: 0.5 s, then 1 s, then 2 s...
    began = time.monotonic()
    await supervisor.start("crasher", _script(record, "sys.exit(3)"), dict(os.environ))
    try:
        await _until(lambda: len(_starts(record)) >= 3)
        assert time.monotonic() - began >= 1.5  # two pauses waited, not a tight loop
        await asyncio.sleep(1.0)
        assert len(_starts(record)) <= 4
    finally:
        await supervisor.stop(grace=10)


async def test_stopping_cuts_a_pause_short_and_starts_nothing(tmp_path: Path) -> None:
    record = tmp_path / "starts"
    supervisor = Supervisor(restart_wait=wait_fixed(600))
    await supervisor.start("crasher", _script(record, "sys.exit(3)"), dict(os.environ))
    await _until(lambda: supervisor.processes[0].returncode == 3)
    await asyncio.sleep(0.2)  # in its 600 s pause now
    await asyncio.wait_for(supervisor.stop(grace=10), timeout=30)  # not its 600 s
    assert len(_starts(record)) == 1


async def test_a_process_that_exits_cleanly_stays_stopped(tmp_path: Path) -> None:
    """Exit 0 is a stop the process was asked for (Ctrl-C reaches every process of the terminal)."""
    record = tmp_path / "starts"
    supervisor = Supervisor(restart_wait=wait_fixed(0.1))
    await supervisor.start("quitter", _script(record, "sys.exit(0)"), dict(os.environ))
    try:
        await _until(lambda: supervisor.processes[0].returncode == 0)
        await asyncio.sleep(1.0)  # ten pauses' time
        assert len(_starts(record)) == 1
    finally:
        await supervisor.stop(grace=10)
