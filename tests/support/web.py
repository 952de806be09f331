"""The web app's test set-up shared by tests/web (httpx) and tests/browser (Chromium): the embedded system
as `make run` starts it with the tutorial's show made in it by examples/tutorial.py, and signing in
through the sign-in form as a person would."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stalker_client import Stalker

from support.system import embedded_system

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "examples" / "tutorial.py"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Show:
    """The embedded system with the tutorial run in it: its base URL and the tutorial artist's login."""

    base: str
    login: str = "eoyilmaz"
    password: str = "secret"
    project_code: str = "FC"

    def client(self, login: str = "admin", password: str = "admin") -> Stalker:  # noqa: S107
        """The Python client, for arranging what a test needs."""
        return Stalker.connect(self.base, login, password)


@contextmanager
def tutorial_system(folder: Path) -> Iterator[Show]:
    """The embedded system in `folder`, with the studio, people, project, shots, tasks, schedule and
    versions the tutorial makes."""
    with embedded_system(folder / "data", folder / "system.log") as base:
        run = subprocess.run(
            [sys.executable, str(TUTORIAL), "--url", base], capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        yield Show(base)


def csrf_token(page: httpx.Response) -> str:
    """The CSRF token of a page's forms."""
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def web_client(base: str, login: str, password: str) -> httpx.Client:
    """A browser-like client signed in through POST /web/login with the form's CSRF token."""
    client = httpx.Client(base_url=base, timeout=30)
    token = csrf_token(client.get("/web/login"))
    answer = client.post(
        "/web/login", data={"csrf_token": token, "login": login, "password": password, "next": "/web/"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/web/", answer.text[-500:]
    return client


def as_page_script(client: httpx.Client) -> httpx.Client:
    """The client sending the session's CSRF token in the header, as the pages' scripts do."""
    client.headers["X-CSRF-Token"] = csrf_token(client.get("/web/"))
    return client


def one_worker_per_module(items: Sequence[pytest.Item], folder: Path) -> None:
    """Each module of `folder` goes to one xdist worker (a group of its own, in order): its system with
    the tutorial in it takes ~18 s to make, once per worker that runs any of its tests."""
    for item in items:
        here = Path(item.path).resolve().parent == folder
        if here and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(f"{folder.name}_{Path(item.path).stem}"))
