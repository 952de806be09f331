"""The scheduling message contracts: names, strictness, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from stalker_shared.contracts.envelope import Envelope
from stalker_shared.contracts.registry import ContractRegistry
from stalker_shared.contracts.scheduling import (
    SCHEDULING_CONTRACTS,
    Problem,
    ResourceSnapshot,
    ScheduleCompleted,
    ScheduleFailed,
    ScheduleRequested,
    StudioSnapshot,
    TaskDependency,
    TaskResult,
    TaskSnapshot,
)

NOW = datetime(2014, 4, 2, 16, tzinfo=UTC)


def studio(**changes: Any) -> dict[str, Any]:
    return {"id": 1, "name": "S", "now": NOW, "start": NOW, "end": NOW + timedelta(days=30)} | changes


def test_names_and_versions() -> None:
    assert [(c.TYPE, c.VERSION) for c in SCHEDULING_CONTRACTS] == [
        ("catalog.schedule.requested", 1),
        ("scheduler.schedule.completed", 1),
        ("scheduler.schedule.failed", 1),
    ]
    assert ScheduleRequested.routing_key() == "catalog.schedule.requested.v1"
    assert ScheduleRequested.producer() == "catalog"
    assert ScheduleCompleted.producer() == ScheduleFailed.producer() == "scheduler"


def test_a_request_travels_through_the_envelope() -> None:
    request = ScheduleRequested(
        job_id=3,
        studio=StudioSnapshot(**studio(timezone="Europe/Istanbul")),
        tasks=(
            TaskSnapshot(
                id=37,
                project_id=34,
                name="Previs",
                schedule_constraint="start",
                start=NOW,
                dependencies=(TaskDependency(depends_on_id=36, gap_timing=1, gap_unit="d"),),
            ),
        ),
    )
    envelope = Envelope.wrap(request, correlation_id="c", causation_id=None)

    _, parsed = ContractRegistry(SCHEDULING_CONTRACTS).parse(envelope.model_dump_json().encode())

    assert parsed == request
    assert isinstance(parsed, ScheduleRequested)
    assert parsed.studio.working_hours["mon"] == ((540, 1080),)
    assert "sat" not in parsed.studio.working_hours


def test_outcomes_round_trip() -> None:
    completed = ScheduleCompleted(
        job_id=3,
        tasks=(TaskResult(id=37, computed_start=NOW, computed_end=NOW, resource_ids=(29,)),),
        projects=(),
        timings={"render": 0.1, "tj3": 1.5, "parse": 0.01},
        warnings=(Problem(severity="warning", message="w", task_id=37),),
    )
    failed = ScheduleFailed(job_id=3, reason="tj3_missing", message="install tj3")

    assert ScheduleCompleted.model_validate_json(completed.model_dump_json()) == completed
    assert ScheduleFailed.model_validate_json(failed.model_dump_json()) == failed


@pytest.mark.parametrize(
    "changes",
    [
        {"timezone": "Mars/Olympus"},
        {"timezone": ""},
        {"timing_resolution": 7},
        {"now": datetime(2014, 4, 2, 16)},  # naive
        {"end": NOW},
        {"working_hours": {"mon": ((600, 540),)}},
        {"working_hours": {"mon": ((540, 720), (700, 800))}},
        {"working_hours": {"funday": ((540, 720),)}},
        {"daily_working_hours": 25},
        {"surprise": 1},
    ],
)
def test_studio_snapshots_are_strict(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StudioSnapshot(**studio(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"schedule_constraint": "start"},
        {"schedule_constraint": "both", "start": NOW},
        {"schedule_constraint": "both", "start": NOW, "end": NOW - timedelta(hours=1)},
        {"schedule_unit": "s"},
        {"schedule_model": "guess"},
        {"kind": "episode"},
        {"priority": -1},
        {"priority": 1001},
        {"allocation_strategy": "fastest"},
    ],
)
def test_task_snapshots_are_strict(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TaskSnapshot(id=1, project_id=1, name="t", **changes)


def test_failure_reasons_are_closed() -> None:
    with pytest.raises(ValidationError):
        ScheduleFailed(job_id=1, reason="gremlins", message="?")


def test_contracts_are_frozen() -> None:
    task = TaskSnapshot(id=1, project_id=1, name="t")
    with pytest.raises(ValidationError):
        task.name = "u"  # type: ignore[misc]


def test_parts_default_to_one_whole_job_and_stay_in_range() -> None:
    old = ScheduleRequested.model_validate({"job_id": 3, "studio": studio()})  # written before parts
    assert (old.part, old.parts) == (0, 1)
    assert ScheduleFailed(job_id=3, reason="timeout", message="m", part=2, parts=3).part == 2
    with pytest.raises(ValidationError, match="part 3 is not below parts"):
        ScheduleCompleted(job_id=3, tasks=(), projects=(), part=3, parts=3)


def test_a_whole_job_is_written_without_parts_as_before_and_a_split_one_with_them() -> None:
    whole = ScheduleRequested(job_id=3, studio=studio())
    assert {"part", "parts"}.isdisjoint(whole.model_dump(mode="json"))  # an older reader still takes it
    assert {"part", "parts"}.isdisjoint(ScheduleFailed(job_id=3, reason="timeout", message="m").model_dump())
    split = whole.model_copy(update={"part": 1, "parts": 2})
    payload = split.model_dump(mode="json")
    assert (payload["part"], payload["parts"]) == (1, 2)
    assert ScheduleRequested.model_validate(payload) == split


def test_fields_added_later_are_left_out_when_unset_so_older_readers_take_the_message() -> None:
    plain = Problem(severity="error", message="tj3 failed")
    assert plain.model_dump(mode="json") == {
        "severity": "error",
        "line": None,
        "message": "tj3 failed",
        "task_id": None,
        "task_name": None,
        "resource_id": None,
        "resource_name": None,
    }
    explained = Problem(severity="error", message="m", kind="overbooked", explanation="Anna is busy")
    dumped = explained.model_dump(mode="json")
    assert (dumped["kind"], dumped["explanation"]) == ("overbooked", "Anna is busy")
    assert Problem.model_validate(dumped) == explained
    week = ResourceSnapshot(id=1, name="Anna", login="anna")
    assert "working_hours" not in week.model_dump(mode="json")
