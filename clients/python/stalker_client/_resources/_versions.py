"""Versions of a task: numbered by the server, with their paths for the caller's operating system."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from stalker_client._http import Session
from stalker_client._model import Page
from stalker_client._platform import OperatingSystem, current_os
from stalker_client._versions_models import Version

VERSIONS = "/versions/v1"


class Versions:
    """`os` defaults to this computer's, so `absolute_path` is where the file is here."""

    def __init__(self, session: Session, os: OperatingSystem | None = None) -> None:
        self._session = session
        self.os: OperatingSystem = os or current_os()

    def create(
        self,
        task_id: int,
        *,
        take_name: str = "Main",
        extension: str | None = None,
        description: str = "",
        parent_id: int | None = None,
        input_ids: Sequence[int] | None = None,
        output_ids: Sequence[int] | None = None,
        idempotency_key: str | None = None,
        os: OperatingSystem | None = None,
    ) -> Version:
        """The next version of the task's take. A retry after a lost answer returns the same version (the
        request carries an Idempotency-Key, a new one per call unless given)."""
        body: dict[str, Any] = {"take_name": take_name, "description": description}
        if extension is not None:
            body["extension"] = extension
        if parent_id is not None:
            body["parent_id"] = parent_id
        if input_ids is not None:
            body["input_ids"] = [*input_ids]
        if output_ids is not None:
            body["output_ids"] = [*output_ids]
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        answer = self._session.request(
            "POST", f"{VERSIONS}/tasks/{task_id}/versions", params=self._os(os), json=body, headers=headers
        )
        return Version.model_validate(answer)

    def get(self, version_id: int, *, os: OperatingSystem | None = None) -> Version:
        answer = self._session.request("GET", f"{VERSIONS}/versions/{version_id}", params=self._os(os))
        return Version.model_validate(answer)

    def list(
        self,
        task_id: int,
        *,
        take_name: str | None = None,
        limit: int = 100,
        offset: int = 0,
        os: OperatingSystem | None = None,
        **filters: Any,
    ) -> Page[Version]:
        """The task's versions in order (the tutorial's `comp.versions`); filters as other lists take them
        (`is_published=True`, `version_number__in=[1, 2]`), `sort` and `fields`."""
        params = {**filters, **self._os(os), "take_name": take_name, "limit": limit, "offset": offset}
        body = self._session.request("GET", f"{VERSIONS}/tasks/{task_id}/versions", params=params)
        items = [Version.model_validate(v) for v in body["items"]]
        return Page(items=items, total=body["total"], limit=body["limit"], offset=body["offset"])

    def latest(
        self,
        task_id: int,
        *,
        take_name: str = "Main",
        published: bool = False,
        os: OperatingSystem | None = None,
    ) -> Version:
        """The highest numbered version of the take (only published ones with `published=True`)."""
        which = "latest-published" if published else "latest"
        params = {**self._os(os), "take_name": take_name}
        answer = self._session.request("GET", f"{VERSIONS}/tasks/{task_id}/versions/{which}", params=params)
        return Version.model_validate(answer)

    def update(self, version_id: int, *, os: OperatingSystem | None = None, **changes: Any) -> Version:
        """Change is_published, description, input_ids or output_ids."""
        path = f"{VERSIONS}/versions/{version_id}"
        answer = self._session.request(
            "PATCH", path, params=self._os(os), json=changes, headers=self._session.etags.if_match(path)
        )
        return Version.model_validate(answer)

    def publish(self, version_id: int, published: bool = True) -> Version:
        return self.update(version_id, is_published=published)

    def delete(self, version_id: int) -> None:
        self._session.request("DELETE", f"{VERSIONS}/versions/{version_id}")

    def _os(self, os: OperatingSystem | None) -> dict[str, str]:
        return {"os": os or self.os}
