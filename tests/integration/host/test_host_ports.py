"""The distributed host refuses to start when one of its ports is taken, rather than send a service's
requests to whatever process listens there (another system, with its own users and tokens)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from stalker_host.supervisor import PortTaken, check_ports_free, ports_of

from support.system import free_port_block


def test_a_taken_service_port_is_refused_naming_it() -> None:
    base = free_port_block(10)
    check_ports_free("127.0.0.1", base)  # all free
    taken = base + 3  # the versions API
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", taken))
        holder.listen()
        with pytest.raises(PortTaken) as refused:
            check_ports_free("127.0.0.1", base)
    assert f"port {taken} (the versions API)" in str(refused.value)
    assert ports_of(base)[taken] == "the versions API" and len(ports_of(base)) == 10


def test_the_host_command_exits_1_with_the_reason() -> None:
    base = free_port_block(10)
    env = {
        **os.environ,
        "STALKER_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1",  # never reached: the check comes first
        "STALKER_AMQP_URL": "amqp://guest:guest@127.0.0.1:1/",
    }
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", base + 1))
        holder.listen()
        done = subprocess.run(
            [sys.executable, "-m", "stalker_host.cli", "distributed", "--port", str(base)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"port {base + 1} (the catalog API) is taken" in done.stderr
