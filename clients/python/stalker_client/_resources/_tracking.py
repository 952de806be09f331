"""Production tracking: time logs, reviews and notes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from stalker_client._errors import ValidationError
from stalker_client._model import Page
from stalker_client._resources._base import Resource, jsonable
from stalker_client._tracking_models import ActionResult, Note, Review, TimeLog

CATALOG = "/catalog/v1"


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Ref = int | HasId
"""An object's id, or the object (a Task, a Version, a User...)."""


def id_of(item: Ref) -> int:
    return item if isinstance(item, int) else item.id


def optional_id(item: Ref | None) -> int | None:
    return None if item is None else id_of(item)


def action_result(answer: Any) -> ActionResult:
    return ActionResult.model_validate(answer)


class TimeLogs(Resource[TimeLog]):
    """Time logged on leaf tasks. Lists filter by task_id, project_id, resource_id, start and end (with
    `start__gte=...` and the like); artists log their own time, leads and producers anyone's."""

    path, model = f"{CATALOG}/time-logs", TimeLog

    def list(self, **filters: Any) -> Page[TimeLog]:
        return super().list(**jsonable(filters))

    def create(
        self,
        task: Ref,
        *,
        start: datetime,
        end: datetime | None = None,
        duration: timedelta | None = None,
        resource: Ref | None = None,
        description: str = "",
    ) -> TimeLog:
        """Log `start` to `end` (or `start` plus `duration`) on the task, for `resource` (default: you).
        A first log on an RTS or HREV task moves it to WIP."""
        if (end is None) == (duration is None):
            raise ValidationError("give either end or duration", field="end")
        finish = end if end is not None else start + (duration or timedelta())
        return self._create(
            {
                "task_id": id_of(task),
                "resource_id": optional_id(resource),
                "start": start,
                "end": finish,
                "description": description,
            }
        )


class Reviews(Resource[Review]):
    """Reviews of tasks: one per responsible in each round. Lists filter by task_id, project_id,
    reviewer_id, status (NEW waits), review_number and version_id."""

    path, model = f"{CATALOG}/reviews", Review

    def waiting(self, **filters: Any) -> Page[Review]:
        """The reviews nobody decided yet (status NEW)."""
        return self.list(**filters, status="NEW")

    def approve(self, review: Ref, description: str | None = None) -> ActionResult:
        """Approve; when the round's last review is decided the task is CMPL (or HREV if any asked for
        a revision)."""
        body = {"description": description} if description is not None else {}
        return self._act(review, "approve", body)

    def request_revision(
        self,
        review: Ref,
        *,
        schedule_timing: float = 1.0,
        schedule_unit: str = "h",
        description: str = "",
    ) -> ActionResult:
        """Send the work back with the extra time it needs and a note saying why."""
        body = {
            "schedule_timing": schedule_timing,
            "schedule_unit": schedule_unit,
            "description": description,
        }
        return self._act(review, "request-revision", body)

    def _act(self, review: Ref, action: str, body: Mapping[str, Any]) -> ActionResult:
        path = f"{self.path}/{id_of(review)}/{action}"
        return action_result(self._session.request("POST", path, json=dict(body)))


class Notes(Resource[Note]):
    """Notes on projects, tasks, versions and reviews, newest first. `list(task_id=...)` gives a task's
    notes with those of its versions and reviews."""

    path, model = f"{CATALOG}/notes", Note

    def create(
        self,
        text: str,
        *,
        project: Ref | None = None,
        task: Ref | None = None,
        version: Ref | None = None,
        review: Ref | None = None,
    ) -> Note:
        """A note on exactly one of a project, a task, a version or a review."""
        return self._create(
            {
                "text": text,
                "project_id": optional_id(project),
                "task_id": optional_id(task),
                "version_id": optional_id(version),
                "review_id": optional_id(review),
            }
        )
