"""The web app's session cookie, CSRF check, sign-in redirect target and settings, without a server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError

from stalker_web.deps import Checked, CsrfRefused, set_session
from stalker_web.pages.auth import safe_next
from stalker_web.session import Session, SessionSeal
from stalker_web.settings import KEY_FILE, WebSettings


def test_a_sealed_session_opens_with_its_key_only() -> None:
    # Secrets long enough that random base64 ciphertext cannot contain them by chance ("ann" once did).
    access, user = "access-token-that-must-stay-sealed", "annabelle-the-compositor"
    session = Session.anonymous().with_tokens(access, "refresh").signed_in_as(7, user, False)
    seal = SessionSeal(Fernet.generate_key(), 3600)
    cookie = seal.seal(session)

    assert access not in cookie and user not in cookie
    assert seal.open(cookie) == session
    assert SessionSeal(Fernet.generate_key(), 3600).open(cookie) is None
    assert seal.open(cookie[:-4] + "AAAA") is None
    assert seal.open("") is None and seal.open(None) is None


def test_signing_in_changes_the_csrf_secret_and_signing_out_drops_the_tokens() -> None:
    before = Session.anonymous()
    after = before.with_tokens("a", "r").signed_in_as(1, "ann", True)

    assert after.csrf != before.csrf and after.signed_in
    assert not after.signed_out().signed_in and after.signed_out().user_id is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/web/projects/3?status=WIP", "/web/projects/3?status=WIP"),
        ("https://evil.example/web/", "/web/"),
        ("//evil.example/web/", "/web/"),
        ("/web/\\evil", "/web/"),
        ("/catalog/v1/users", "/web/"),
        (None, "/web/"),
        ("/web/?q=" + "x" * 2040, "/web/?q=" + "x" * 2040),  # 2048: as long as the sign-in form takes
        ("/web/?q=" + "x" * 2041, "/web/"),
    ],
)
def test_after_sign_in_only_a_page_of_the_app_is_a_target(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_pages_carry_the_csrf_secret_masked_differently_each_time() -> None:
    session = Session.anonymous()
    first, second = session.masked_csrf(), session.masked_csrf()

    assert first != second and session.csrf not in first
    assert session.csrf_matches(first) and session.csrf_matches(second)
    assert not Session.anonymous().csrf_matches(first)
    assert not session.csrf_matches(session.csrf)  # the bare secret is not what pages carry
    assert not any(session.csrf_matches(bad) for bad in ("", "%%%", "QUJD", None, "A" * 300))


def test_cookies_are_secure_by_default_in_production_only(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    assert WebSettings(environment="production", session_key=key).secure_cookie
    assert not WebSettings(data_dir=tmp_path).secure_cookie
    assert WebSettings(data_dir=tmp_path, cookie_secure=True).secure_cookie


def _app() -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def session(request, call_next):  # type: ignore[no-untyped-def]
        set_session(request, SESSION)
        return await call_next(request)

    @app.post("/change", dependencies=[Checked])
    async def change() -> dict[str, str]:
        return {"ok": "yes"}

    @app.exception_handler(CsrfRefused)
    async def refused(request, exc):  # type: ignore[no-untyped-def]
        return PlainTextResponse("refused", status_code=403)

    return app


SESSION = Session(csrf="the-secret")
TOKEN = SESSION.masked_csrf()


@pytest.mark.parametrize(
    ("headers", "form", "allowed"),
    [
        ({"x-csrf-token": TOKEN}, None, True),
        ({}, {"csrf_token": TOKEN}, True),
        ({}, {"csrf_token": "another"}, False),
        ({}, {}, False),
        ({"x-csrf-token": TOKEN, "sec-fetch-site": "cross-site"}, None, False),
        ({"x-csrf-token": TOKEN, "sec-fetch-site": "same-site"}, None, False),
        ({"x-csrf-token": TOKEN, "sec-fetch-site": "same-origin"}, None, True),
        # a proxy in between passes another Host on: the browser's own word is what counts
        ({"x-csrf-token": TOKEN, "origin": "http://stalker.example:8080"}, None, True),
    ],
)
async def test_a_change_needs_the_sessions_csrf_token_and_no_other_site(
    headers: dict[str, str], form: dict[str, str] | None, allowed: bool
) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/change", headers=headers, data=form)
    assert (response.status_code == 200) is allowed, response.text


def test_development_keeps_a_key_in_the_data_folder_and_production_needs_one(tmp_path: Path) -> None:
    settings = WebSettings(data_dir=tmp_path)
    key = settings.sealing_key()

    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert WebSettings(data_dir=tmp_path).sealing_key() == key  # kept across restarts
    with pytest.raises(ValidationError, match="STALKER_WEB_SESSION_KEY"):
        WebSettings(environment="production")
    with pytest.raises(ValidationError):
        WebSettings(session_key="not a fernet key")
    production = WebSettings(environment="production", session_key=Fernet.generate_key().decode())
    assert production.sealing_key() != key
