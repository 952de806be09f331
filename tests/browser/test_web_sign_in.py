"""Signing in and out in a real browser, and what the session cookie is."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from support.browser import screenshot, sign_in
from support.web import Show


def test_the_base_url_sends_a_browser_to_sign_in_and_back_to_the_page_it_asked_for(
    page: Page, show: Show
) -> None:
    page.goto(f"{show.base}/")
    expect(page).to_have_url(f"{show.base}/web/login?next=%2Fweb%2F")
    sign_in(page, show.base, show.login, show.password)
    expect(page).to_have_url(f"{show.base}/web/")
    expect(page.get_by_role("link", name="Fancy Commercial")).to_be_visible()


def test_a_wrong_password_is_refused_on_the_form(page: Page, show: Show) -> None:
    page.goto(f"{show.base}/web/login")
    page.get_by_label("Login").fill(show.login)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong login or password.")
    expect(page).to_have_url(f"{show.base}/web/login")


def test_the_session_cookie_is_http_only_and_same_site_and_holds_no_readable_token(
    page: Page, show: Show, tmp_path: Path
) -> None:
    sign_in(page, show.base, show.login, show.password)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "stalker_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/web"
    # No JWT (header.payload.signature, base64url JSON) in the clear: the cookie is sealed.
    assert re.search(r"eyJ[\w-]*\.eyJ[\w-]*\.", cookie["value"]) is None
    assert page.evaluate("document.cookie") == ""
    screenshot(page, "projects", tmp_path)


def test_signing_out_revokes_the_token_so_a_copied_cookie_stops_working(page: Page, show: Show) -> None:
    sign_in(page, show.base, show.login, show.password)
    copied = page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{show.base}/web/login")
    expect(page.get_by_role("status")).to_have_text("Signed out.")
    page.context.clear_cookies()
    page.context.add_cookies(copied)  # type: ignore[arg-type]
    page.goto(f"{show.base}/web/")
    expect(page).to_have_url(f"{show.base}/web/login?next=%2Fweb%2F")
