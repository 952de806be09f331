"""`make run`'s distributed mode keeps its processes running as compose and Kubernetes keep theirs: an API
or a worker killed (the OOM killer, a crash) is started again, and the system answers as before."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from support.system import distributed_process

pytestmark = pytest.mark.xdist_group("process_kills")


def _children(parent: int) -> dict[str, int]:
    """The parent's child processes by command line (`stalker_catalog.cli api --port N` -> pid)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found[" ".join(part.decode() for part in command[2:] if part)] = int(entry.name)
    return found


def _wait_for(what: str, condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_killed_api_and_worker_are_started_again(pg_server: str, amqp_server: str, tmp_path: Path) -> None:
    log = tmp_path / "system.log"
    with distributed_process(pg_server, amqp_server, log) as (base, port, host):
        token = httpx.post(
            f"{base}/catalog/v1/auth/token", data={"username": "admin", "password": "admin"}, timeout=30
        ).json()["access_token"]
        before = _children(host.pid)
        api = next(c for c in before if c.startswith("stalker_catalog.cli api"))
        worker = next(c for c in before if c.startswith("stalker_catalog.cli worker"))
        worker_ready = f"http://127.0.0.1:{port + 2}/readyz"
        assert _answers(worker_ready)

        os.kill(before[api], signal.SIGKILL)
        os.kill(before[worker], signal.SIGKILL)
        _wait_for("the catalog to be killed", lambda: not _answers(f"{base}/catalog/readyz"), timeout=10)

        _wait_for("new catalog processes", lambda: {api, worker} <= set(_children(host.pid)))
        after = _children(host.pid)
        assert after[api] != before[api] and after[worker] != before[worker]
        _wait_for("the catalog API back", lambda: _answers(f"{base}/catalog/readyz"))
        _wait_for("the catalog worker back", lambda: _answers(worker_ready))
        me = httpx.get(f"{base}/catalog/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert me.status_code == 200 and me.json()["login"] == "admin"
        assert host.poll() is None
    assert '"process exited"' in log.read_text()
