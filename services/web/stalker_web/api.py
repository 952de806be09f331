"""Calls to the services' public HTTP APIs with the signed-in user's token. An expired access token is
refreshed once with the refresh token (the new pair goes back into the cookie); a refused refresh means
the user must sign in again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from stalker_web.session import Session

# Concurrent requests of one browser (the Gantt loads its pages in parallel) may all find the access token
# expired at once; the refresh token is good for one use, so the first refresh's answer is kept this long
# and handed to the others.
REFRESH_SHARED_SECONDS = 60.0


class ApiError(Exception):
    """A service answered with a problem (4xx or 5xx), or did not answer (status 502)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        problem: Mapping[str, Any] | None = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.retry_after = status, title, detail, retry_after
        self.problem: Mapping[str, Any] = problem or {}

    @property
    def field(self) -> str | None:
        """The input field the problem names, when it names one."""
        value = self.problem.get("field")
        if isinstance(value, str):
            return value
        errors = self.problem.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            location = errors[0].get("loc") or errors[0].get("field")
            if isinstance(location, list):
                return ".".join(str(part) for part in location if part not in ("body", "query"))
            if isinstance(location, str):
                return location
        return None


class SignedOut(Exception):
    """The session's tokens are no longer accepted: sign in again."""


class Refresher:
    """Exchanges a refresh token for a new pair, once per token per process: the requests that find one
    token expired together wait for the one exchange; other users' exchanges do not wait for it."""

    def __init__(self) -> None:
        self._exchanges: dict[str, tuple[float, asyncio.Task[tuple[str, str]]]] = {}

    async def refresh(self, client: httpx.AsyncClient, refresh_token: str) -> tuple[str, str]:
        now = time.monotonic()
        self._exchanges = {
            token: entry
            for token, entry in self._exchanges.items()
            if now - entry[0] < REFRESH_SHARED_SECONDS
        }
        if refresh_token not in self._exchanges:
            exchange = asyncio.ensure_future(_exchange(client, refresh_token))
            self._exchanges[refresh_token] = (now, exchange)
        # shield: one waiter giving up (its browser went away) must not cancel the others' exchange
        return await asyncio.shield(self._exchanges[refresh_token][1])


async def _exchange(client: httpx.AsyncClient, refresh_token: str) -> tuple[str, str]:
    try:
        response = await client.post("/catalog/v1/auth/refresh", json={"refresh_token": refresh_token})
    except httpx.HTTPError as exc:
        raise ApiError(502, "Bad Gateway", f"the catalog did not answer ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise SignedOut()
    body = response.json()
    return body["access_token"], body["refresh_token"]


class Api:
    """One request's view of the services, as the session's user. `on_refresh` is told the session with
    the new tokens as soon as they are had, so that every answer (an error page too) carries them back in
    the cookie: the refresh token they replace is spent."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        session: Session,
        refresher: Refresher,
        on_refresh: Callable[[Session], None] | None = None,
    ) -> None:
        self._client, self._refresher, self._on_refresh = client, refresher, on_refresh
        self.session = session

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, json: Any = None) -> Any:
        return await self.call("POST", path, json=json)

    async def put(self, path: str, json: Any = None) -> Any:
        return await self.call("PUT", path, json=json)

    async def patch(self, path: str, json: Any = None) -> Any:
        return await self.call("PATCH", path, json=json)

    async def delete(self, path: str) -> Any:
        return await self.call("DELETE", path)

    async def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> Any:
        if self.session.access_token is None:
            raise SignedOut()
        response = await self._send(method, path, params, json)
        if response.status_code == 401 and self.session.refresh_token:
            access, refresh = await self._refresher.refresh(self._client, self.session.refresh_token)
            self.session = self.session.with_tokens(access, refresh)
            if self._on_refresh is not None:
                self._on_refresh(self.session)
            response = await self._send(method, path, params, json)
        if response.status_code == 401:
            raise SignedOut()
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response.text

    async def _send(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.session.access_token}"}
        try:
            return await self._client.request(method, path, params=params, json=json, headers=headers)
        except httpx.HTTPError as exc:
            raise ApiError(502, "Bad Gateway", f"the services did not answer ({type(exc).__name__})") from exc


def _problem(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail")
    if not isinstance(detail, str):
        detail = response.reason_phrase
    title = str(body.get("title") or response.reason_phrase)
    return ApiError(response.status_code, title, detail, body, response.headers.get("retry-after"))


async def log_in(
    client: httpx.AsyncClient, login: str, password: str, address: str | None
) -> tuple[str, str]:
    """The token pair for a login and password; ApiError 401 or 429 (throttled) otherwise."""
    headers = {"X-Forwarded-For": address} if address else {}
    try:
        response = await client.post(
            "/catalog/v1/auth/token", data={"username": login, "password": password}, headers=headers
        )
    except httpx.HTTPError as exc:
        raise ApiError(502, "Bad Gateway", f"the catalog did not answer ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise _problem(response)
    body = response.json()
    return body["access_token"], body["refresh_token"]
