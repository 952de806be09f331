"""R11 for the API processes: on SIGTERM an API stops accepting connections, finishes the requests in
flight and exits 0, which is what a Kubernetes rolling update or `docker compose stop` relies on (the
worker side is in test_worker_processes.py). Both run as real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from support.brokers import eventually
from support.system import distributed_process, embedded_process, free_port_block

# Kills or stops processes and times how they go: in the "process_kills" xdist group, one such test at a time
# (on one worker) while the other workers run the rest.
pytestmark = pytest.mark.xdist_group("process_kills")

ROOT = Path(__file__).resolve().parents[1]


def clean_env() -> dict[str, str]:
    """This machine's environment without any service setting a developer may have exported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STALKER_CATALOG_", "STALKER_VERSIONS_"))}
    return {**env, "PYTHONPATH": str(ROOT)}


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


async def answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.TransportError:
        return False


async def test_sigterm_lets_the_request_in_flight_finish_refuses_new_ones_and_exits_0(tmp_path: Path) -> None:
    port = free_port_block(1)
    base = f"http://127.0.0.1:{port}"
    api = start(
        [sys.executable, "-m", "support.slow_api", str(port), "2.0"], clean_env(), tmp_path / "api.log"
    )
    try:
        await eventually(lambda: answers(f"{base}/healthz"), timeout=30, what="the API to answer")
        async with httpx.AsyncClient(timeout=10) as client:
            in_flight = asyncio.create_task(client.get(f"{base}/slow"))
            await asyncio.sleep(0.5)
            api.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            assert not await answers(f"{base}/healthz"), "still accepting new requests after SIGTERM"
            response = await in_flight
        assert response.status_code == 200 and response.json() == {"status": "done"}
        assert await asyncio.to_thread(api.wait, 10) == 0
    finally:
        if api.poll() is None:
            api.kill()
            api.wait()


async def test_the_catalog_api_command_exits_0_on_sigterm(tmp_path: Path) -> None:
    """The image's own command (`stalker-catalog api`), embedded so it needs no server."""
    port = free_port_block(1)
    env = {**clean_env(), "STALKER_CATALOG_DATA_DIR": str(tmp_path / "data")}
    command = [str(Path(sys.executable).parent / "stalker-catalog"), "api", "--host", "127.0.0.1"]
    api = start([*command, "--port", str(port)], env, tmp_path / "catalog.log")
    try:
        url = f"http://127.0.0.1:{port}/catalog/healthz"
        await eventually(lambda: answers(url), timeout=60, what="the catalog API to answer")
        started = time.monotonic()
        api.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(api.wait, 20) == 0, (tmp_path / "catalog.log").read_text()[-2000:]
        assert time.monotonic() - started < 20
    finally:
        if api.poll() is None:
            api.kill()
            api.wait()


@pytest.mark.parametrize("mode", ["embedded", "distributed"])
def test_open_event_streams_end_on_sigterm_and_the_system_exits_0_promptly(
    mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """uvicorn waits for every open response before it exits: a live event stream, which lasts until its
    token expires, held `make run` (and an events API pod) after SIGTERM until killed. It ends instead."""
    log = tmp_path / "system.log"
    if mode == "embedded":
        system = embedded_process(tmp_path / "data", log)
    else:
        system = distributed_process(
            request.getfixturevalue("pg_server"), request.getfixturevalue("amqp_server"), log
        )
    with system as started:
        base, process = started[0], started[-1]
        token = httpx.post(
            f"{base}/catalog/v1/auth/token", data={"username": "admin", "password": "admin"}, timeout=30
        ).json()["access_token"]
        ended = threading.Event()
        received: list[str] = []

        refusals: list[str] = []

        def follow() -> None:
            """As an EventSource does: a refused connection (a service still starting on a loaded machine
            answers 503 when it cannot yet ask the catalog who the caller is) is tried again."""
            headers = {"Authorization": f"Bearer {token}"}
            while not any(line.startswith("id:") for line in received):
                with httpx.stream("GET", f"{base}/events/v1/stream", headers=headers, timeout=60) as stream:
                    if stream.status_code != 200:
                        refusals.append(f"{stream.status_code} {stream.read()[:300]!r}")
                        time.sleep(0.5)
                        continue
                    for line in stream.iter_lines():
                        received.append(line)
            ended.set()

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while not any(line.startswith("id:") for line in received):
            assert time.monotonic() < deadline, f"the stream sent nothing; refused: {refusals}"
            time.sleep(0.1)

        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0, log.read_text()[-3000:]
        assert time.monotonic() - stopping < 15, "the open stream held the system after SIGTERM"
        assert ended.wait(5), "the stream was not ended"
