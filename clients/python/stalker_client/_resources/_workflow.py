"""A task's workflow actions (request-review, request-revision, hold, stop, resume) and its people beyond
the resources: the responsible (who review its work) and the watchers."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from stalker_client._catalog_models import User
from stalker_client._http import Session
from stalker_client._resources._tracking import Ref, action_result, id_of, optional_id
from stalker_client._tracking_models import ActionResult


class TaskWorkflow:
    """Mixed into `client.tasks`. The status is never written: these actions move it, and each answers
    the task as it is now, the reviews made or decided, and every status moved."""

    path: str
    _session: Session

    def request_review(self, task: Ref, version: Ref | None = None, description: str = "") -> ActionResult:
        """A WIP task goes to PREV with one NEW review per responsible (inherited from its parents)."""
        body = {"version_id": optional_id(version), "description": description}
        return self._act(task, "request-review", {k: v for k, v in body.items() if v is not None})

    def request_revision(
        self,
        task: Ref,
        *,
        schedule_timing: float = 1.0,
        schedule_unit: str = "h",
        description: str = "",
        reviewer: Ref | None = None,
    ) -> ActionResult:
        """Send a PREV or CMPL task back (HREV) with the extra time it needs; the reviewer is you unless
        given."""
        body: dict[str, Any] = {
            "schedule_timing": schedule_timing,
            "schedule_unit": schedule_unit,
            "description": description,
        }
        if reviewer is not None:
            body["reviewer_id"] = id_of(reviewer)
        return self._act(task, "request-revision", body)

    def hold(self, task: Ref) -> ActionResult:
        """WIP, DREV or OH: on hold (OH), its priority 0."""
        return self._act(task, "hold", {})

    def stop(self, task: Ref) -> ActionResult:
        """WIP, DREV or STOP: stopped (STOP), its timing cut to the time logged."""
        return self._act(task, "stop", {})

    def resume(self, task: Ref) -> ActionResult:
        """OH or STOP: back to where it was (WIP, DREV...)."""
        return self._act(task, "resume", {})

    def responsible(self, task_id: int) -> builtins.list[User]:
        """Who reviews the task's work (none here: its nearest ancestor's do)."""
        return self._people("GET", task_id, "responsible")

    def set_responsible(self, task_id: int, user_ids: Sequence[int]) -> builtins.list[User]:
        return self._people("PUT", task_id, "responsible", {"user_ids": list(user_ids)})

    def add_responsible(self, task_id: int, user_id: int) -> builtins.list[User]:
        return self._people("POST", task_id, "responsible", {"user_id": user_id})

    def remove_responsible(self, task_id: int, user_id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{task_id}/responsible/{user_id}")

    def watchers(self, task_id: int) -> builtins.list[User]:
        return self._people("GET", task_id, "watchers")

    def set_watchers(self, task_id: int, user_ids: Sequence[int]) -> builtins.list[User]:
        return self._people("PUT", task_id, "watchers", {"user_ids": list(user_ids)})

    def add_watcher(self, task_id: int, user_id: int) -> builtins.list[User]:
        return self._people("POST", task_id, "watchers", {"user_id": user_id})

    def remove_watcher(self, task_id: int, user_id: int) -> None:
        self._session.request("DELETE", f"{self.path}/{task_id}/watchers/{user_id}")

    def _act(self, task: Ref, action: str, body: dict[str, Any]) -> ActionResult:
        path = f"{self.path}/{id_of(task)}/{action}"
        return action_result(self._session.request("POST", path, json=body))

    def _people(
        self, method: str, task_id: int, relation: str, body: dict[str, Any] | None = None
    ) -> builtins.list[User]:
        answer = self._session.request(method, f"{self.path}/{task_id}/{relation}", json=body)
        return [User.model_validate(u) for u in answer]
