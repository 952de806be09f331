"""What the browser tests (tests/browser) share: Debian's Chromium, the check that a page had no
JavaScript error, signing in through the form, and screenshots for the README."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response

VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str:
    path = os.environ.get("STALKER_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium (scripts/browser-package)")
    return path


class ConsoleErrors:
    """The page's JavaScript errors and console errors, which fail the test that caused them. A page
    answered with a 4xx on purpose (a refused sign-in, a 404 for a project that is not yours) makes
    Chromium log "Failed to load resource" for it: that one is not a script's error, and is let through."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        self._documents: set[str] = set()
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def _response(self, response: Response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self._documents.add(response.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location["url"] in self._documents:
            return
        self.messages.append(f"console.error: {message.text} at {message.location}")


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    """Through the sign-in form, as a person would."""
    page.goto(f"{base}/web/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/web/login" not in url)


def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """A screenshot of the window: into $STALKER_WEB_SCREENSHOTS (the README's) when set, else tmp_path."""
    folder = Path(os.environ.get("STALKER_WEB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
