"""The studio (calendar, unit conversion, scheduling) and schedule jobs."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from stalker_client._catalog_models import ScheduleJob, Seconds, Studio
from stalker_client._errors import SchedulingFailed, WaitTimeout
from stalker_client._resources._base import Resource, jsonable
from stalker_client._resources._tjp import render_tjp
from stalker_client._scenario_models import Scenario, WhatIf

CATALOG = "/catalog/v1"
Progress = Callable[[ScheduleJob], None]


class Studios(Resource[Studio]):
    path, model = f"{CATALOG}/studios", Studio

    def create(
        self,
        *,
        name: str,
        description: str = "",
        working_hours: Mapping[str, Sequence[Sequence[int]]] | None = None,
        daily_working_hours: int | None = None,
        timing_resolution_minutes: int | None = None,
        time_zone: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        duration: timedelta | float | None = None,
        now: datetime | None = None,
    ) -> Studio:
        """The studio (the catalog keeps one). Working hours: weekday -> [start, end] minute ranges;
        `now` pins the scheduler's clock; `duration` (days or a timedelta) sets end = start + it."""
        return self._create(
            {
                "name": name,
                "description": description,
                "working_hours": working_hours,
                "daily_working_hours": daily_working_hours,
                "timing_resolution_minutes": timing_resolution_minutes,
                "time_zone": time_zone,
                "start": start,
                "end": end,
                "duration": duration,
                "now": now,
            }
        )

    def by_name(self, name: str) -> Studio | None:
        return self.first(name=name)

    def to_seconds(self, studio_id: int, timing: float, unit: str = "h", model: str = "effort") -> float:
        """A timing in seconds by the studio's calendar (10 d of effort = 10 working days)."""
        params = {"timing": timing, "unit": unit, "model": model}
        answer = self._session.request("GET", f"{self.path}/{studio_id}/to-seconds", params=params)
        return Seconds.model_validate(answer).seconds

    def schedule(
        self,
        studio_id: int,
        *,
        project_ids: Sequence[int] | None = None,
        compute_resources: bool = False,
        what_if: WhatIf | Mapping[str, Any] | None = None,
    ) -> ScheduleJob:
        """Ask for a schedule run (all projects, or the ones named); returns the job at once.
        Follow it with `client.jobs.wait(job.id)`. With `what_if` (a WhatIf or its dictionary) the run
        computes a scenario and applies nothing: `client.jobs.scenario(job.id)` compares it with the
        plan once it is ready, `client.jobs.apply` or `drop` decide."""
        body: dict[str, Any] = {"compute_resources": compute_resources}
        if project_ids is not None:
            body["project_ids"] = list(project_ids)
        if isinstance(what_if, WhatIf):
            body["what_if"] = what_if.model_dump(mode="json")
        elif what_if is not None:
            body["what_if"] = jsonable(what_if)
        answer = self._session.request("POST", f"{self.path}/{studio_id}/schedule", json=body)
        return ScheduleJob.model_validate(answer)

    def to_tjp(self, studio_id: int) -> str:
        """The studio as a TaskJuggler project header (the tutorial's `my_studio.to_tjp`)."""
        return render_tjp(self._session, "studio", studio_id, None)


class Jobs(Resource[ScheduleJob]):
    """Schedule jobs: queued, running, completed or failed."""

    path, model = f"{CATALOG}/schedule-jobs", ScheduleJob

    def scenario(self, job_id: int) -> Scenario:
        """A what-if run's scenario against the current plan: the tasks it moves, by how much, and which
        now miss their project's end (NotFound for a normal run)."""
        return Scenario.model_validate(self._session.request("GET", f"{self.path}/{job_id}/scenario"))

    def apply(self, job_id: int) -> ScheduleJob:
        """Make a ready scenario's changes and dates the plan, at once. Conflict if anything it was
        computed from has changed since (`error.body["changed"]` says what: run the what-if again) or it
        is not ready (`error.body["scenario_status"]`)."""
        return ScheduleJob.model_validate(self._session.request("POST", f"{self.path}/{job_id}/apply"))

    def drop(self, job_id: int) -> ScheduleJob:
        """Discard a ready scenario."""
        return ScheduleJob.model_validate(self._session.request("POST", f"{self.path}/{job_id}/drop"))

    def cancel(self, job_id: int) -> ScheduleJob:
        """Give up on a queued or running job and release the studio (admins only)."""
        return ScheduleJob.model_validate(self._session.request("POST", f"{self.path}/{job_id}/cancel"))

    def wait(
        self,
        job_id: int,
        timeout: float = 600.0,
        *,
        progress: Progress | None = None,
        poll_interval: float = 0.25,
        raise_on_failure: bool = True,
    ) -> ScheduleJob:
        """Poll the job until it ends; `progress(job)` is called with every state seen.
        Raises SchedulingFailed if it failed (unless told not to) and WaitTimeout past `timeout` seconds."""
        deadline = time.monotonic() + timeout
        interval = poll_interval
        while True:
            job = self.get(job_id)
            if progress is not None:
                progress(job)
            if job.done:
                break
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"job {job_id} is still {job.status} after {timeout:g} s", job=job)
            time.sleep(min(interval, max(deadline - time.monotonic(), 0.0)))
            interval = min(interval * 1.5, 2.0)
        if job.status != "completed" and raise_on_failure:
            raise SchedulingFailed(f"job {job_id} {job.status}: {job.message or 'no reason given'}", job=job)
        return job
