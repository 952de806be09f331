"""The client and the command line against a real embedded system, started once per test module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stalker_client import Stalker

from support.system import embedded_system


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an embedded system of this module's own (SQLite files in a temporary folder)."""
    folder = tmp_path_factory.mktemp("system")
    with embedded_system(folder / "data", folder / "system.log") as base:
        yield base


@pytest.fixture(scope="module")
def admin(system: str) -> Iterator[Stalker]:
    with Stalker.connect(system, "admin", "admin") as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A suffix that keeps names apart between the tests of a module, which share one system."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def tmp_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's config folder in a temporary place (XDG_CONFIG_HOME), nothing in the environment."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("STALKER_URL", "STALKER_LOGIN", "STALKER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config" / "stalker" / "config.json"
