"""A schedule job's problems as the API shows them: typed, and those stored before `kind` and
`explanation` existed still read (as `other`, unexplained)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stalker_catalog.api.schemas.scheduling import ScheduleJobRead, ScheduleProblemRead


def test_a_problem_stored_before_explanations_reads_as_other() -> None:
    stored = {
        "severity": "error",
        "line": 3,
        "message": "Some tasks did not fit into the project time frame.",
    }

    assert ScheduleProblemRead.model_validate(stored).model_dump() == stored | {
        "kind": "other",
        "explanation": None,
        "task_id": None,
        "task_name": None,
        "resource_id": None,
        "resource_name": None,
    }


def test_the_kind_is_one_of_the_vocabulary() -> None:
    explained = {"severity": "warning", "message": "m", "kind": "overbooked", "explanation": "e"}
    assert ScheduleProblemRead.model_validate(explained).kind == "overbooked"
    with pytest.raises(ValidationError):
        ScheduleProblemRead.model_validate(explained | {"kind": "bored"})


def test_the_job_schema_types_its_problems() -> None:
    problems = ScheduleJobRead.model_fields["problems"]
    assert problems.annotation == list[ScheduleProblemRead] | None
