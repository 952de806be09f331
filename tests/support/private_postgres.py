"""A PostgreSQL server of a test's own (initdb and pg_ctl in a temporary directory, on a free port), for
the tests that stop or restart their server: the machine's server, which every other test uses, stays up,
so they need not run alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.system import free_port_block


def _binary(name: str) -> str | None:
    """pg_ctl/initdb: on the PATH, else in the newest /usr/lib/postgresql/<version>/bin (Debian)."""
    if found := shutil.which(name):
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    candidates = [v / name for v in versions if (v / name).exists()]
    return str(candidates[-1]) if candidates else None


def available() -> bool:
    return _binary("initdb") is not None and _binary("pg_ctl") is not None


@dataclass(frozen=True)
class PrivateServer:
    url: str  # libpq form, database `postgres`
    control: list[str]  # pg_ctl with its data directory: append restart, start, stop


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: there, run it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def private_postgres() -> Iterator[PrivateServer]:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb is not None and pg_ctl is not None
    base = Path(tempfile.mkdtemp(prefix="stalker-pg-"))
    data, log = base / "data", base / "server.log"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = free_port_block(1)  # below the ephemeral range: no client takes it meanwhile
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    control = _as_owner([pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options])
    try:
        subprocess.run(
            _as_owner([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run([*control, "start"], check=True, capture_output=True, timeout=120)
        yield PrivateServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", control)
    finally:
        subprocess.run([*control, "-m", "immediate", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)
