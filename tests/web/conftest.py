"""Page tests without a browser: httpx against the embedded system as `make run` starts it, with the
tutorial's show in it, signed in through the sign-in form as a person would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from support.web import Show, one_worker_per_module, tutorial_system, web_client

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    one_worker_per_module(items, HERE)


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Show]:
    """A system of this module's own with the tutorial's show in it."""
    with tutorial_system(tmp_path_factory.mktemp("web")) as made:
        yield made


@pytest.fixture(scope="module")
def sign_in(show: Show) -> Iterator[Callable[[str, str], httpx.Client]]:
    """Signs a user in (closing the clients at the module's end)."""
    clients: list[httpx.Client] = []

    def signed_in(login: str, password: str) -> httpx.Client:
        clients.append(web_client(show.base, login, password))
        return clients[-1]

    yield signed_in
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def web(show: Show, sign_in: Callable[[str, str], httpx.Client]) -> httpx.Client:
    """The tutorial's artist, signed in to the web app."""
    return sign_in(show.login, show.password)
