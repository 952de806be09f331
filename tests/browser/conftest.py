"""Browser tests: a real Chromium (Debian's `chromium`, driven by Playwright's Python API) against the
embedded system as `make run` starts it, with the tutorial's show in it. Every page a test opens fails the
test on any JavaScript error or console error. Screenshots go to $STALKER_WEB_SCREENSHOTS when it is set
(`make screenshots` writes the README's), else to the test's temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from support.browser import VIEWPORT, ConsoleErrors, chromium_path
from support.web import Show, one_worker_per_module, tutorial_system

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    one_worker_per_module(items, HERE)


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Show]:
    """A system of this module's own with the tutorial's show in it."""
    with tutorial_system(tmp_path_factory.mktemp("web")) as made:
        yield made


# Playwright's sync API keeps an event loop of its own open while it runs, and pytest-asyncio cannot run
# an async test while it is: so both live for one module, and pytest stops them before it runs a test of
# another module on this worker (the async ones included).
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="UTC")  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = ConsoleErrors(page)
    yield page
    context.close()
    assert not errors.messages, "JavaScript errors on the page:\n" + "\n".join(errors.messages)
