"""The distributed system for the end-to-end tests: started once per session (so once per xdist worker)
and shared by the tests that use it (their data has names of their own, and the tutorial runs again on a
used system with the same results), as its start is seven processes and ~20 s of CPU."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.system import RunningSystem, distributed_system


@pytest.fixture(scope="session")
def shared_distributed_system(
    pg_server: str, amqp_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningSystem]:
    """The distributed system (gateway, each service's API and worker) with its own databases and broker
    namespace; its output goes to `log`. The tests using it are in the xdist group `e2e_distributed`."""
    log = tmp_path_factory.mktemp("distributed") / "system.log"
    with distributed_system(pg_server, amqp_server, log) as (base, port):
        yield RunningSystem(base, port, log)
