"""A schedule job's problems in the client: typed, with kind and explanation, still readable as the
dictionaries they were, and a job stored before explanations existed still reads and prints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console

from stalker_client import ScheduleJob
from stalker_client.cli._problems import failure_summary, problems_table

EXPLAINED = {
    "severity": "warning",
    "kind": "overbooked",
    "explanation": "Lighting (SH001) needs Erkan for 15 days of work ...",
    "message": "15.0d of effort of task Project_34.Task_36.Task_38 does not fit into the project time frame.",
    "task_id": 38,
    "task_name": "Lighting",
    "resource_id": 29,
    "resource_name": "Erkan",
    "line": 37,
}
# As the catalog stored problems before `kind` and `explanation`.
OLD = {"severity": "error", "line": 3, "message": "Some tasks did not fit into the project time frame."}


def job(*problems: dict[str, object]) -> ScheduleJob:
    return ScheduleJob.model_validate(
        {
            "id": 7,
            "studio_id": 1,
            "status": "failed",
            "requested_at": datetime(2026, 3, 2, tzinfo=UTC),
            "message": "tj3 failed: Some tasks did not fit into the project time frame.",
            "problems": list(problems),
        }
    )


def rendered(table: object) -> str:
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_problems_are_typed_and_still_read_as_dictionaries() -> None:
    (problem,) = job(EXPLAINED).problems or []

    assert (problem.kind, problem.resource_name, problem.summary) == (
        "overbooked",
        "Erkan",
        EXPLAINED["explanation"],
    )
    assert problem["task_name"] == "Lighting" and problem["kind"] == "overbooked"
    with pytest.raises(KeyError):
        problem["no such field"]


def test_a_problem_stored_before_explanations_reads_as_other_with_tj3s_text() -> None:
    (problem,) = job(OLD).problems or []
    assert (problem.kind, problem.explanation, problem.summary) == ("other", None, OLD["message"])


def test_the_table_has_a_row_per_problem_with_names_and_ids() -> None:
    text = rendered(problems_table((job(EXPLAINED, OLD).problems or []), title="Why it failed"))

    header = next(line for line in text.splitlines() if "explanation" in line)
    assert [word for word in header.split() if word.isalpha()] == [
        "severity",
        "task",
        "resource",
        "kind",
        "explanation",
    ]
    assert "Lighting (#38)" in text and "Erkan (#29)" in text and "overbooked" in text
    assert "Lighting (SH001) needs Erkan" in text and "Project_34" not in text
    assert "Some tasks did not fit" in text  # an old problem shows tj3's text: it has nothing else


def test_a_failure_is_summed_up_by_its_first_errors_explanation() -> None:
    closing = OLD | {"kind": "overbooked", "explanation": "tj3 stopped: Lighting (SH001) did not fit"}

    assert (
        failure_summary(job(EXPLAINED, closing)) == "job 7 failed: tj3 stopped: Lighting (SH001) did not fit"
    )
    assert (
        failure_summary(job())
        == "job 7 failed: tj3 failed: Some tasks did not fit into the project time frame."
    )
