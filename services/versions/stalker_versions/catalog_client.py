"""Looking up a project, a task or the caller in the catalog over HTTP, for when its event has not arrived
yet. The caller's bearer token is forwarded, so the catalog applies its own access rules (and its own
check of the token: a revoked one gets 401 there, and so here)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from stalker_shared.correlation import current_correlation_id
from stalker_shared.outbound import tls_context
from stalker_versions.db.access import CallerLookup, CatalogCaller, UnknownCaller
from stalker_versions.domain.errors import CatalogUnavailable, Forbidden
from stalker_versions.service.catalog_events import ProjectFacts, TaskFacts

F = TypeVar("F", bound=BaseModel)


class _Me(BaseModel):
    id: int
    login: str
    is_admin: bool


class CatalogLookup(CallerLookup, Protocol):
    """The catalog as the versions service asks it: None when the object does not exist."""

    async def task(self, task_id: int, token: str | None) -> TaskFacts | None: ...

    async def project(self, project_id: int, token: str | None) -> ProjectFacts | None: ...


# How long the catalog's word on a token's caller is reused in this process. It is asked only about users
# whose state has not reached this service (the table is read first: a revocation it holds wins), which
# includes the users of a studio older than the table until their next change.
CALLER_TTL_SECONDS = 30.0
_CALLERS_KEPT = 4096


class HttpCatalog:
    def __init__(
        self, base_url: str, timeout: float = 5.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._base_url, self._timeout, self._transport = base_url.rstrip("/"), timeout, transport
        self._callers: OrderedDict[str, tuple[float, CatalogCaller]] = OrderedDict()

    async def task(self, task_id: int, token: str | None) -> TaskFacts | None:
        return await self._get(f"/catalog/v1/tasks/{task_id}", TaskFacts, token, f"task {task_id}")

    async def project(self, project_id: int, token: str | None) -> ProjectFacts | None:
        return await self._get(
            f"/catalog/v1/projects/{project_id}", ProjectFacts, token, f"project {project_id}"
        )

    async def caller(self, token: str) -> CatalogCaller:
        kept = self._callers.get(token)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        answer = await self._ask_caller(token)
        self._callers[token] = (time.monotonic() + CALLER_TTL_SECONDS, answer)
        self._callers.move_to_end(token)
        while len(self._callers) > _CALLERS_KEPT:
            self._callers.popitem(last=False)
        return answer

    async def _ask_caller(self, token: str) -> CatalogCaller:
        try:
            me = await self._get("/catalog/v1/auth/me", _Me, token, "the caller")
        except Forbidden:
            raise UnknownCaller(
                "the catalog refused this token (unknown, deactivated or revoked user)"
            ) from None
        if me is None:
            raise UnknownCaller("the catalog does not know this token's user")
        return CatalogCaller(me.id, me.login, me.is_admin)

    async def _get(self, path: str, model: type[F], token: str | None, what: str) -> F | None:
        headers = {"x-correlation-id": current_correlation_id()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            # A client per lookup: lookups are rare (only when an event is late), and nothing to close.
            async with httpx.AsyncClient(
                base_url=self._base_url,
                timeout=self._timeout,
                transport=self._transport,
                verify=tls_context(),
            ) as client:
                response = await client.get(path, headers=headers)
        except httpx.HTTPError as exc:
            raise CatalogUnavailable(
                f"{what} is not known here yet and the catalog could not be reached ({type(exc).__name__})"
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise Forbidden(f"the catalog refused to show {what} to this caller")
        if response.status_code != 200:
            raise CatalogUnavailable(f"the catalog answered {response.status_code} when asked for {what}")
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError):
            raise CatalogUnavailable(f"the catalog's answer for {what} could not be read") from None
