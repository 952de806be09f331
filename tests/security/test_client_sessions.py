"""The Python client keeps a session with short-lived access tokens: a refused token is renewed with the
refresh token (which is replaced by the answer), else by a new login; `logout` revokes on the server and
forgets here. Against a scripted server (httpx.MockTransport), so every step can be checked."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
import pytest

from stalker_client import AuthenticationError, Stalker

PROBLEM = {"content-type": "application/problem+json", "www-authenticate": "Bearer"}


@dataclass
class Server:
    """Valid access tokens and refresh tokens; each refresh token works once."""

    access: set[str] = field(default_factory=lambda: {"a1"})
    refresh: set[str] = field(default_factory=lambda: {"r1"})
    issued: int = 1
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    def pair(self) -> dict[str, object]:
        self.issued += 1
        access, refresh = f"a{self.issued}", f"r{self.issued}"
        self.access.add(access)
        self.refresh.add(refresh)
        body = {"access_token": access, "refresh_token": refresh, "expires_in": 900, "refresh_expires_in": 9}
        return body | {"token_type": "bearer"}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ") or None
        self.seen.append((request.method, request.url.path, token))
        if request.url.path == "/catalog/v1/auth/token":
            return httpx.Response(200, json=self.pair())
        if request.url.path == "/catalog/v1/auth/refresh":
            presented = json.loads(request.content)["refresh_token"]
            if presented not in self.refresh:
                return httpx.Response(401, json={"status": 401, "detail": "revoked"}, headers=PROBLEM)
            self.refresh.discard(presented)
            return httpx.Response(200, json=self.pair())
        if token not in self.access:
            return httpx.Response(401, json={"status": 401, "detail": "expired"}, headers=PROBLEM)
        if request.url.path == "/catalog/v1/auth/logout":
            self.access.clear()
            self.refresh.clear()
            return httpx.Response(204)
        return httpx.Response(200, json={"id": 1, "login": "ann", "is_admin": False, "project_roles": {}})


def test_an_expired_access_token_is_renewed_with_the_refresh_token_once() -> None:
    server = Server()
    stored: list[tuple[str | None, str | None]] = []
    client = Stalker(
        "http://t",
        token="a1",
        refresh_token="r1",
        transport=httpx.MockTransport(server),
        on_tokens=lambda a, r: stored.append((a, r)),
    )
    assert client.me().login == "ann"
    server.access.clear()  # the access token expires
    assert client.me().login == "ann"
    assert stored == [("a2", "r2")] and (client.token, client.refresh_token) == ("a2", "r2")
    assert [s[1] for s in server.seen[-3:]] == [
        "/catalog/v1/auth/me",
        "/catalog/v1/auth/refresh",
        "/catalog/v1/auth/me",
    ]
    assert "r1" not in server.refresh  # rotated: the old refresh token is spent


def test_without_a_usable_refresh_token_a_password_client_logs_in_again() -> None:
    server = Server()
    client = Stalker("http://t", transport=httpx.MockTransport(server))
    client.login("ann", "a long passphrase")
    server.access.clear()
    server.refresh.clear()  # the refresh token is revoked too
    assert client.me().login == "ann"
    assert [s[1] for s in server.seen[-4:]] == [
        "/catalog/v1/auth/me",
        "/catalog/v1/auth/refresh",
        "/catalog/v1/auth/token",
        "/catalog/v1/auth/me",
    ]


def test_a_token_only_client_with_a_revoked_session_is_told_to_log_in() -> None:
    server = Server()
    client = Stalker("http://t", token="a1", refresh_token="r1", transport=httpx.MockTransport(server))
    server.access.clear()
    server.refresh.clear()
    with pytest.raises(AuthenticationError):
        client.me()


def test_logout_revokes_on_the_server_and_forgets_the_tokens() -> None:
    server = Server()
    stored: list[tuple[str | None, str | None]] = []
    client = Stalker(
        "http://t",
        token="a1",
        refresh_token="r1",
        transport=httpx.MockTransport(server),
        on_tokens=lambda *t: stored.append(t),
    )
    client.logout()
    assert server.seen[-1] == ("POST", "/catalog/v1/auth/logout", "a1")
    assert (client.token, client.refresh_token) == (None, None) and stored[-1] == (None, None)
    assert not server.access and not server.refresh
