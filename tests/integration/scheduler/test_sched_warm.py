"""The warm driver (engine/warm_driver.py): runs forked from one warm Ruby give the cold driver's and tj3's
outcome; a run over its time is killed while the server lives on; a server that dies is replaced; close()
stops it."""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_sched_driver import show_request
from test_sched_tj3 import tutorial

from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.engine import (
    DriverUnavailable,
    Tj3Failed,
    Tj3Timeout,
    WarmDriver,
    run_driver,
    warm_driver,
)
from stalker_scheduler.service.compute import schedule
from stalker_scheduler.settings import SchedulerSettings
from stalker_scheduler.tjp import render_tjp
from stalker_scheduler.tjp.parse import parse_result
from stalker_shared.contracts.scheduling import ScheduleCompleted
from stalker_shared.messaging import InMemoryBroker, InMemoryTransport
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers

# Kills warm servers and their children and times how they go: in the "process_kills" xdist group, with the
# reliability tests that do the same, one at a time (on one worker) while the other workers run the rest.
pytestmark = [pytest.mark.tj3, pytest.mark.xdist_group("process_kills")]


@pytest.fixture(scope="module")
def tj3_path() -> str:
    path = shutil.which("tj3")
    if path is None or shutil.which("ruby") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("tj3 and its Ruby are not installed")
        pytest.skip("tj3 and its Ruby are not installed (apt-get install tj3)")
    return path


@pytest.fixture
def warm(tj3_path: str) -> Iterator[WarmDriver]:
    driver = WarmDriver(yjit=True)
    yield driver
    driver.close()


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] not in ("Z", "X")


async def until(condition: Callable[[], bool], seconds: float = 5) -> bool:
    for _ in range(int(seconds * 100)):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


def exited(pid: int) -> bool:
    """Our child has wholly exited, every thread of it, so its descriptors are closed. A thread-group
    leader shows as a zombie in /proc while its other threads still run and hold its sockets."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def children(pid: int) -> list[int]:
    return [int(item) for item in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


async def test_warm_runs_give_the_tj3_commands_outcome(tj3_path: str, warm: WarmDriver) -> None:
    for request in (
        tutorial("Europe/Istanbul", compute_resources=True),
        show_request(200, "UTC", compute_resources=True),
    ):
        cli = await schedule(request, engine="cli", tj3_path=tj3_path, timeout=120)
        first = await schedule(request, warm=warm, tj3_path="/nonexistent/tj3", timeout=120)
        again = await schedule(request, warm=warm, tj3_path="/nonexistent/tj3", timeout=120)

        assert isinstance(first, ScheduleCompleted) and isinstance(again, ScheduleCompleted)
        for outcome in (first, again):
            assert outcome.model_dump(exclude={"timings"}) == cli.model_dump(exclude={"timings"})
        assert {"tj3.read", "tj3.schedule", "tj3.export"} <= set(again.timings)
    assert warm.starts == 1


async def test_errors_are_tj3s_errors(warm: WarmDriver) -> None:
    tjp = render_tjp(tutorial(), "breakdown").replace("allocate User_29", "allocate User_99", 1)

    with pytest.raises(Tj3Failed) as cold:
        await run_driver(tjp, timeout=60)
    with pytest.raises(Tj3Failed) as forked:
        await warm.run(tjp, timeout=60)

    assert (forked.value.message, forked.value.problems) == (cold.value.message, cold.value.problems)


async def test_a_run_over_its_time_is_killed_and_the_server_lives_on(warm: WarmDriver) -> None:
    small = render_tjp(tutorial(), "breakdown")
    await warm.run(small, timeout=60)
    server = warm.pid
    assert server is not None

    with pytest.raises(Tj3Timeout, match="within 1 s"):
        await warm.run(render_tjp(show_request(1000, "UTC", compute_resources=True), "breakdown"), timeout=1)

    assert warm.pid == server and alive(server) and children(server) == []
    result = await warm.run(small, timeout=60)
    assert result.result_text is not None and warm.starts == 1


async def test_a_dead_server_is_replaced(warm: WarmDriver) -> None:
    small = render_tjp(tutorial(), "breakdown")
    expected = (await run_driver(small, timeout=60)).result_text
    assert expected is not None
    await warm.run(small, timeout=60)
    first = warm.pid
    assert first is not None

    os.kill(first, signal.SIGKILL)
    assert await until(lambda: exited(first))
    result = await warm.run(small, timeout=60)

    assert warm.starts == 2 and warm.pid != first
    assert result.result_text is not None
    assert parse_result(result.result_text, with_resources=True) == parse_result(
        expected, with_resources=True
    )


async def test_a_server_dying_mid_run_hands_the_run_to_a_cold_driver(warm: WarmDriver) -> None:
    text = render_tjp(show_request(1000, "UTC", compute_resources=True), "breakdown")
    await warm.run(render_tjp(tutorial(), "breakdown"), timeout=60)
    server = warm.pid
    assert server is not None

    async def kill_server_mid_run() -> list[int]:
        assert await until(lambda: bool(children(server)), 60)
        forked = children(server)
        os.kill(server, signal.SIGKILL)
        return forked

    result, forked = await asyncio.gather(warm.run(text, timeout=120), kill_server_mid_run())

    assert result.result_text is not None and "Task_" in result.result_text
    assert await until(lambda: not any(alive(pid) for pid in forked))  # the orphaned child was killed too
    await warm.run(render_tjp(tutorial(), "breakdown"), timeout=60)
    assert warm.starts == 2


async def test_an_abandoned_run_kills_its_child_and_the_server_is_replaced(warm: WarmDriver) -> None:
    small = render_tjp(tutorial(), "breakdown")
    await warm.run(small, timeout=60)
    server = warm.pid
    assert server is not None
    run = asyncio.create_task(
        warm.run(render_tjp(show_request(1000, "UTC", compute_resources=True), "breakdown"), timeout=120)
    )
    assert await until(lambda: bool(children(server)), 60)
    forked = children(server)

    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run

    assert await until(lambda: not any(alive(pid) for pid in (*forked, server)))
    assert (await warm.run(small, timeout=60)).result_text is not None and warm.starts == 2


async def test_a_run_cancelled_before_the_child_is_known_kills_it_too(
    warm: WarmDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server forks as soon as the request arrives, before the driver has set up its pipes and read the
    child's pid: a cancel in that window (a worker stopping) must not leave the child running."""
    small = render_tjp(tutorial(), "breakdown")
    await warm.run(small, timeout=60)
    server = warm.pid
    assert server is not None
    setting_up = asyncio.Event()
    module = importlib.import_module(
        "stalker_scheduler.engine.warm_driver"
    )  # the package's `warm_driver` is a function
    real_pipe_reader = module.pipe_reader

    async def slow_pipe_reader(*args: object) -> object:
        setting_up.set()
        await asyncio.sleep(60)
        return await real_pipe_reader(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "pipe_reader", slow_pipe_reader)
    run = asyncio.create_task(
        warm.run(render_tjp(show_request(1000, "UTC", compute_resources=True), "breakdown"), timeout=120)
    )
    await setting_up.wait()
    assert await until(lambda: bool(children(server)), 60)
    forked = children(server)

    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run

    assert await until(lambda: not any(alive(pid) for pid in (*forked, server)))
    monkeypatch.undo()
    assert (await warm.run(small, timeout=60)).result_text is not None and warm.starts == 2


async def test_close_stops_the_server_and_its_run(tj3_path: str) -> None:
    warm = WarmDriver(yjit=False)
    await warm.run(render_tjp(tutorial(), "breakdown"), timeout=60)
    server = warm.pid
    assert server is not None and alive(server)

    warm.close()

    assert not alive(server) and warm.pid is None


async def test_without_ruby_it_is_unavailable_and_schedule_runs_tj3(tj3_path: str, tmp_path: Path) -> None:
    warm = WarmDriver(str(tmp_path / "ruby"))
    with pytest.raises(DriverUnavailable):
        await warm.run("project", timeout=5)

    outcome = await schedule(tutorial(), warm=warm, tj3_path=tj3_path, timeout=60)

    assert isinstance(outcome, ScheduleCompleted) and "tj3.report" in outcome.timings


async def test_a_server_that_never_gets_ready_is_a_timeout(tmp_path: Path) -> None:
    ruby = tmp_path / "ruby"
    ruby.write_text("#!/bin/sh\nsleep 60\n")
    ruby.chmod(0o755)
    warm = WarmDriver(str(ruby))

    with pytest.raises(Tj3Timeout, match="within 1 s"):
        await warm.run("project", timeout=1)

    assert warm.pid is None


def test_the_settings_choose_the_warm_driver() -> None:
    assert isinstance(warm_driver(SchedulerSettings()), WarmDriver)
    assert warm_driver(SchedulerSettings(tj3_warm_driver=False)) is None
    assert warm_driver(SchedulerSettings(tj3_engine="cli")) is None


async def test_a_worker_starts_its_warm_server_before_any_request_and_stops_it(
    tj3_path: str, tmp_path: Path
) -> None:
    settings = SchedulerSettings(data_dir=tmp_path, tj3_path=tj3_path)
    definition = scheduler_definition(settings)
    assert definition.workers_started is not None
    warm = definition.workers_started.__self__  # type: ignore[attr-defined]
    assert isinstance(warm, WarmDriver)
    runtime = Runtime(definition, settings, InMemoryTransport(InMemoryBroker()))
    await runtime.open(migrate=True)
    workers = ServiceWorkers(runtime)
    await workers.start()
    try:
        assert await until(lambda: warm.pid is not None and warm._lock.locked() is False, seconds=60)
        pid = warm.pid
        assert pid is not None and alive(pid) and warm.starts == 1
        # The first request finds it ready: no second server, the same process.
        outcome = await schedule(tutorial(), timeout=60, warm=warm, tj3_path=tj3_path)
        assert isinstance(outcome, ScheduleCompleted) and warm.pid == pid and warm.starts == 1
    finally:
        await workers.stop(grace=5)
        await runtime.close()
    assert warm.pid is None and await until(lambda: not alive(pid))
