"""Looking up a project or task in the catalog over HTTP, for when its event has not arrived yet.
The caller's bearer token is forwarded, so the catalog applies its own access rules."""

from __future__ import annotations

from typing import Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from stalker_shared.correlation import current_correlation_id
from stalker_versions.domain.errors import CatalogUnavailable, Forbidden
from stalker_versions.service.catalog_events import ProjectFacts, TaskFacts

F = TypeVar("F", bound=BaseModel)


class CatalogLookup(Protocol):
    """The catalog as the versions service asks it: None when the object does not exist."""

    async def task(self, task_id: int, token: str | None) -> TaskFacts | None: ...

    async def project(self, project_id: int, token: str | None) -> ProjectFacts | None: ...


class HttpCatalog:
    def __init__(
        self, base_url: str, timeout: float = 5.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._base_url, self._timeout, self._transport = base_url.rstrip("/"), timeout, transport

    async def task(self, task_id: int, token: str | None) -> TaskFacts | None:
        return await self._get(f"/catalog/v1/tasks/{task_id}", TaskFacts, token, f"task {task_id}")

    async def project(self, project_id: int, token: str | None) -> ProjectFacts | None:
        return await self._get(
            f"/catalog/v1/projects/{project_id}", ProjectFacts, token, f"project {project_id}"
        )

    async def _get(self, path: str, model: type[F], token: str | None, what: str) -> F | None:
        headers = {"x-correlation-id": current_correlation_id()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            # A client per lookup: lookups are rare (only when an event is late), and nothing to close.
            async with httpx.AsyncClient(
                base_url=self._base_url, timeout=self._timeout, transport=self._transport
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
