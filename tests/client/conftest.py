"""The client and the command line against a real embedded system: one per test session (so one per
pytest-xdist worker), shared by the modules whose tests each make their own uniquely named data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stalker_client import Stalker

from support.system import embedded_system


def _embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("system")
    with embedded_system(folder / "data", folder / "system.log") as base:
        yield base


HERE = Path(__file__).resolve().parent
SHARED_SYSTEM_GROUP = "client_shared_system"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests on the session's shared system go to one xdist worker (one group, in order), so that one
    system serves them all rather than one per worker; a module in a group of its own keeps that."""
    for item in items:
        in_client = Path(item.path).resolve().parent == HERE
        if in_client and "system" in item.fixturenames and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(SHARED_SYSTEM_GROUP))


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the embedded system this session's client tests share (SQLite files in a temporary
    folder). A module whose data has fixed names, or that needs what it makes to be the first of its kind,
    overrides this with `module_system`."""
    yield from _embedded(tmp_path_factory)


@pytest.fixture(scope="module")
def module_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An embedded system of this module's own. A module using it is also put in an xdist_group, so that
    its tests run on one worker, in order, with one system."""
    yield from _embedded(tmp_path_factory)


@pytest.fixture(scope="module")
def admin(system: str) -> Iterator[Stalker]:
    with Stalker.connect(system, "admin", "admin") as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A suffix that keeps names apart between the tests that share one system."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def tmp_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's config folder in a temporary place (XDG_CONFIG_HOME), nothing in the environment."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("STALKER_URL", "STALKER_LOGIN", "STALKER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config" / "stalker" / "config.json"
