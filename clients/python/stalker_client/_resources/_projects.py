"""Projects and the users working on them."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from stalker_client._catalog_models import Project, ProjectUser
from stalker_client._resources._base import Resource
from stalker_client._resources._tjp import render_tjp


class Projects(Resource[Project]):
    path, model = "/catalog/v1/projects", Project

    def create(
        self,
        *,
        name: str,
        code: str,
        description: str = "",
        status_list_id: int | None = None,
        status: str | None = None,
        image_format_id: int | None = None,
        fps: float | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        user_ids: Sequence[int] = (),
        **extra: Any,
    ) -> Project:
        """A project; without a status list it gets the default one for projects."""
        return self._create(
            {
                "name": name,
                "code": code,
                "description": description,
                "status_list_id": status_list_id,
                "status": status,
                "image_format_id": image_format_id,
                "fps": fps,
                "start": start,
                "end": end,
                "user_ids": list(user_ids),
                **extra,
            }
        )

    def by_code(self, code: str) -> Project | None:
        return self.first(code=code)

    def users(self, project_id: int) -> builtins.list[ProjectUser]:
        answer = self._session.request("GET", f"{self.path}/{project_id}/users")
        return [ProjectUser.model_validate(u) for u in answer]

    def add_user(
        self, project_id: int, user_id: int, *, role_id: int | None = None, rate: float | None = None
    ) -> ProjectUser:
        body = {"user_id": user_id, "role_id": role_id, "rate": rate}
        answer = self._session.request("POST", f"{self.path}/{project_id}/users", json=body)
        return ProjectUser.model_validate(answer)

    def remove_user(self, project_id: int, user_id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{project_id}/users/{user_id}")

    def to_tjp(self, project_id: int, *, studio_id: int | None = None) -> str:
        """The project's task tree as TaskJuggler text (the tutorial's `new_project.to_tjp`)."""
        return render_tjp(self._session, "project", project_id, studio_id)
