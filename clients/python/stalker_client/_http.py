"""The HTTP session under every resource: the bearer token, problem details turned into exceptions, a
refresh (or a new login) when the short-lived access token expires, and retries where a retry cannot do a
thing twice."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
from httpx_sse import EventSource, connect_sse
from pydantic_core import from_json

from stalker_client._errors import AuthenticationError, ConnectionFailed, error_for
from stalker_client._etags import SeenTags

TOKEN_PATH = "/catalog/v1/auth/token"
REFRESH_PATH = "/catalog/v1/auth/refresh"
LOGOUT_PATH = "/catalog/v1/auth/logout"
# Called with the new access and refresh tokens whenever they change (the CLI stores them).
TokensChanged = Callable[[str | None, str | None], None]
# Methods that may be sent again after a connection failure; a POST only with an Idempotency-Key.
_SAFE_TO_RETRY = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
_RETRIES = 2


def query_params(values: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters as the APIs read them: lists comma separated, booleans lower case, None left out."""
    params: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[key] = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            params[key] = ",".join(str(v) for v in value)
        else:
            params[key] = str(value)
    return params


class Session:
    """One base URL, one token; `request` returns the decoded body or raises a StalkerError.

    An access token lives minutes: when one is refused, the refresh token (used once, replaced by the
    answer) gets a new pair and the request is sent again, once; without one, a client that logged in
    with a password logs in again."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        refresh_token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        on_tokens: TokensChanged | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.refresh_token = refresh_token
        self._on_tokens = on_tokens
        self._credentials: tuple[str, str] | None = None
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self.etags = SeenTags()  # what updates send as If-Match (_etags.py)

    def close(self) -> None:
        self._http.close()

    def login(self, login: str, password: str) -> str:
        """Log in with the OAuth2 password flow; the tokens are kept (the password too, in memory, to log
        in again should the refresh token be refused)."""
        body = self._send("POST", TOKEN_PATH, data={"username": login, "password": password}, auth=False)
        self._credentials = (login, password)
        return self._keep(body)

    def refresh(self) -> str:
        """A new access and refresh token for the refresh token (which the server then refuses)."""
        if not self.refresh_token:
            raise AuthenticationError("no refresh token: log in", title="Not logged in")
        body = self._send("POST", REFRESH_PATH, json={"refresh_token": self.refresh_token}, auth=False)
        return self._keep(body)

    def logout(self) -> None:
        """Revoke every token of this user on the server (all sessions), then forget them here."""
        try:
            self.request("POST", LOGOUT_PATH)
        finally:
            self._credentials = None
            self._set_tokens(None, None)

    def _keep(self, body: Any) -> str:
        self._set_tokens(str(body["access_token"]), body.get("refresh_token"))
        assert self.token is not None
        return self.token

    def _set_tokens(self, token: str | None, refresh_token: str | None) -> None:
        self.token, self.refresh_token = token, refresh_token
        if self._on_tokens is not None:
            self._on_tokens(token, refresh_token)

    def _renew(self) -> bool:
        """After a refused token: refresh, else log in again; False when there is no way to."""
        if self.refresh_token:
            try:
                self.refresh()
                return True
            except AuthenticationError:
                self.refresh_token = None  # expired or revoked: a password login is the only way left
        if self._credentials is not None:
            self.login(*self._credentials)
            return True
        return False

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        try:
            return self._send(method, path, params=params, json=json, headers=headers)
        except AuthenticationError:
            if not self._renew():  # the token expired or was revoked: refresh or log in again, once
                raise
            return self._send(method, path, params=params, json=json, headers=headers)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        sent = dict(headers or {})
        if auth and self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        retries = _RETRIES if method in _SAFE_TO_RETRY or "Idempotency-Key" in sent else 0
        # No params at all keeps a query written in the path (repeated keys: type=a&type=b).
        query = query_params(params) if params else None
        for attempt in range(retries + 1):
            try:
                response = self._http.request(method, path, params=query, json=json, data=data, headers=sent)
                break
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise ConnectionFailed(
                        f"cannot reach {self.base_url}: {type(exc).__name__}: {exc}", title="No connection"
                    ) from exc
                time.sleep(0.2 * 2**attempt)
        self.etags.saw(method, path, response)
        return _decoded(response)

    @contextmanager
    def event_source(
        self, path: str, *, headers: Mapping[str, str] | None = None, read_timeout: float = 60.0
    ) -> Iterator[EventSource]:
        """A GET answered with Server-Sent Events, open while the caller reads it. An error answer raises as
        `request` does, a refused token renewed first and the request sent again, once; no retry otherwise
        (the caller knows where to resume). `read_timeout` is the longest silence between two lines."""
        timeout = httpx.Timeout(self._http.timeout.connect, read=read_timeout)
        with ExitStack() as opened:
            source = self._connect_events(opened, path, headers or {}, timeout)
            if source.response.status_code == 401:
                source.response.read()
                if self._renew():
                    source = self._connect_events(opened, path, headers or {}, timeout)
            if not source.response.is_success:
                source.response.read()
                _decoded(source.response)  # raises the problem as its exception
            yield source

    def _connect_events(
        self, opened: ExitStack, path: str, headers: Mapping[str, str], timeout: httpx.Timeout
    ) -> EventSource:
        sent = dict(headers)
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        try:
            return opened.enter_context(connect_sse(self._http, "GET", path, headers=sent, timeout=timeout))
        except httpx.TransportError as exc:
            raise ConnectionFailed(
                f"cannot reach {self.base_url}: {type(exc).__name__}: {exc}", title="No connection"
            ) from exc


def json_body(response: httpx.Response) -> Any:
    """The body decoded as JSON (UTF-8, as the APIs send it); ValueError if it is not JSON.

    pydantic_core's parser instead of the standard library's: a page of 1,000 tasks is about 1 MB, and
    the standard library took 1.6 times as long to decode it (bench/api.py reads its lists through this).
    pydantic_core comes with pydantic, which pins its exact version: no dependency of our own."""
    return from_json(response.content)


def _decoded(response: httpx.Response) -> Any:
    body: Any = None
    kind = response.headers.get("content-type", "")
    if response.content and "json" in kind:
        try:
            body = json_body(response)
        except ValueError:
            body = None
    if response.is_success:
        return body if body is not None or not response.content else response.text
    raise error_for(response.status_code, body, response.text[:2000])
