"""Schedule requests and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from stalker_catalog.api.schemas.common import Input, Output
from stalker_shared.types import Ids


class ScheduleRequestBody(Input):
    project_ids: Ids | None = Field(None, description="Projects to schedule; all of them when omitted")
    compute_resources: bool = Field(False, description="Also compute which resource does each task")


class ScheduleJobRead(Output):
    id: int
    studio_id: int
    status: str = Field(description="queued, running, completed or failed")
    project_ids: list[int] | None
    compute_resources: bool
    requested_by_id: int | None
    requested_at: datetime
    requests_merged: int = Field(description="Requests coalesced into this job")
    started_at: datetime | None
    finished_at: datetime | None
    message: str | None
    problems: list[dict[str, Any]] | None
    timings: dict[str, float] | None
    tasks_scheduled: int | None
    parts: int = Field(description="Independent groups of projects the run was split into (0 while queued)")
    parts_done: int = Field(description="Parts whose dates are applied")
