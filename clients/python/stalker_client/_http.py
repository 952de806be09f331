"""The HTTP session under every resource: the bearer token, problem details turned into exceptions, a
new login when a token expires, and retries where a retry cannot do a thing twice."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic_core import from_json

from stalker_client._errors import AuthenticationError, ConnectionFailed, error_for

TOKEN_PATH = "/catalog/v1/auth/token"
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
    """One base URL, one token; `request` returns the decoded body or raises a StalkerError."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._credentials: tuple[str, str] | None = None
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def login(self, login: str, password: str) -> str:
        """Log in with the OAuth2 password flow; the token is kept, and used again to log in on expiry."""
        body = self._send("POST", TOKEN_PATH, data={"username": login, "password": password}, auth=False)
        self.token = str(body["access_token"])
        self._credentials = (login, password)
        return self.token

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
            if self._credentials is None:
                raise
            self.login(*self._credentials)  # the token expired: log in again, once
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
        for attempt in range(retries + 1):
            try:
                response = self._http.request(
                    method, path, params=query_params(params or {}), json=json, data=data, headers=sent
                )
                break
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise ConnectionFailed(
                        f"cannot reach {self.base_url}: {type(exc).__name__}: {exc}", title="No connection"
                    ) from exc
                time.sleep(0.2 * 2**attempt)
        return _decoded(response)


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
