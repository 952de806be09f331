"""What-if runs: a schedule request with imagined changes, and the fingerprint of what it was computed from.

`imagine` lays the changes over the snapshot the catalog would send (pure: the data is not touched).
`fingerprint` digests, per task, resource and project, the inputs that decide the dates, so applying a
scenario later can tell whether anything it was computed from has changed since (`changed_since`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stalker_shared.contracts.scheduling import ScheduleRequested, TaskSnapshot, TimeUnit, Vacation


@dataclass(frozen=True)
class Leave:
    user_id: int | None  # None: the whole studio
    start: datetime
    end: datetime


@dataclass(frozen=True)
class WhatIf:
    """The imagined changes. Task and user ids are checked against the snapshot by the handler."""

    vacations_added: tuple[Leave, ...] = ()
    vacations_cancelled: tuple[int, ...] = ()  # vacation ids
    resources_added: tuple[tuple[int, int], ...] = ()  # (task id, user id)
    resources_removed: tuple[tuple[int, int], ...] = ()
    project_ends: tuple[tuple[int, datetime], ...] = ()  # (project id, its new end)
    timings: tuple[tuple[int, float, TimeUnit | None], ...] = ()  # (task id, timing, unit or None: kept)
    priorities: tuple[tuple[int, int], ...] = ()  # (task id, 0 to 1000)
    cancelled_leave: tuple[Leave, ...] = field(default=(), compare=False)  # the cancelled ids, read

    def touched_tasks(self) -> set[int]:
        pairs = (*self.resources_added, *self.resources_removed)
        return {t for t, _ in pairs} | {t for t, *_ in self.timings} | {t for t, _ in self.priorities}


def imagine(request: ScheduleRequested, what_if: WhatIf) -> ScheduleRequested:
    """The request as it would be with the changes made."""
    tasks = [_changed_task(task, what_if) for task in request.tasks]
    resources = []
    for resource in request.resources:
        leave = _without(resource.vacations, [v for v in what_if.cancelled_leave if v.user_id == resource.id])
        leave += [_vacation(v) for v in what_if.vacations_added if v.user_id == resource.id]
        resources.append(resource.model_copy(update={"vacations": tuple(sorted(leave, key=_start))}))
    studio_leave = _without(request.vacations, [v for v in what_if.cancelled_leave if v.user_id is None])
    studio_leave += [_vacation(v) for v in what_if.vacations_added if v.user_id is None]
    return request.model_copy(
        update={
            "tasks": tuple(tasks),
            "resources": tuple(resources),
            "vacations": tuple(sorted(studio_leave, key=_start)),
        }
    )


def _changed_task(task: TaskSnapshot, what_if: WhatIf) -> TaskSnapshot:
    update: dict[str, Any] = {}
    removed = {user for task_id, user in what_if.resources_removed if task_id == task.id}
    added = [user for task_id, user in what_if.resources_added if task_id == task.id]
    if removed or added:
        kept = [user for user in task.resources if user not in removed]
        update["resources"] = tuple(dict.fromkeys([*kept, *added]))
    for task_id, timing, unit in what_if.timings:
        if task_id == task.id:
            update["schedule_timing"] = timing
            if unit is not None:
                update["schedule_unit"] = unit
    for task_id, priority in what_if.priorities:
        if task_id == task.id:
            update["priority"] = priority
    return task.model_copy(update=update) if update else task


def _without(leave: Iterable[Vacation], cancelled: list[Leave]) -> list[Vacation]:
    """The leave with one entry per cancelled vacation taken out (an identical pair stays once)."""
    kept = list(leave)
    for item in cancelled:
        match = next((v for v in kept if (v.start, v.end) == (item.start, item.end)), None)
        if match is not None:
            kept.remove(match)
    return kept


def _vacation(leave: Leave) -> Vacation:
    return Vacation(start=leave.start, end=leave.end)


def _start(vacation: Vacation) -> datetime:
    return vacation.start


# {"studio": digest, "tasks": {id: digest}, "resources": {id: digest}, "projects": [ids]}
Fingerprint = dict[str, Any]


def fingerprint(request: ScheduleRequested, *, now_pinned: bool, resource_ids: Iterable[int]) -> Fingerprint:
    """Digests of the inputs of a run: the studio's calendar (its `now` only when pinned: the real clock
    moves on by itself), its leave, each task, each of the given resources, and the set of projects."""
    studio = request.studio.model_dump(mode="json", exclude=None if now_pinned else {"now"})
    wanted = set(resource_ids)
    leave = [vacation.model_dump(mode="json") for vacation in request.vacations]
    return {
        "studio": _digest({"studio": studio, "leave": leave}),
        "tasks": {str(task.id): _digest(task.model_dump(mode="json")) for task in request.tasks},
        "resources": {
            str(r.id): _digest(r.model_dump(mode="json")) for r in request.resources if r.id in wanted
        },
        "projects": sorted(project.id for project in request.projects),
    }


def used_resources(*requests: ScheduleRequested) -> set[int]:
    """Every user the requests' tasks allocate, may allocate or have bookings of."""
    used: set[int] = set()
    for request in requests:
        for task in request.tasks:
            used.update(task.resources, task.alternative_resources, (b.resource_id for b in task.bookings))
    return used


def changed_since(then: Mapping[str, Any], now: Mapping[str, Any]) -> dict[str, Any]:
    """What differs between two fingerprints: empty when nothing does."""
    changes: dict[str, Any] = {}
    if then["studio"] != now["studio"]:
        changes["studio"] = True
    if then["projects"] != now["projects"]:
        changes["projects"] = sorted(set(then["projects"]) ^ set(now["projects"]))
    for kind in ("tasks", "resources"):
        if keys := _differing(then[kind], now[kind]):
            changes[kind] = keys
    for kind in ("vacations", "project_ends"):  # named by the changes, beyond the snapshot
        if keys := _differing(then.get("named", {}).get(kind, {}), now.get("named", {}).get(kind, {})):
            changes[kind] = keys
    return changes


def _differing(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[int]:
    return sorted(int(key) for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
