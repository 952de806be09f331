"""A schedule job for people: its fields, then one row per problem (task, resource, kind, explanation)
rather than tj3's raw text, which `--json` still gives."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from stalker_client._catalog_models import ScheduleJob, ScheduleProblem
from stalker_client.cli._output import text


def problems_table(problems: Sequence[ScheduleProblem], title: str | None = None) -> Table:
    """One row per problem: what went wrong, for which task and resource, and what to change."""
    table = Table(title=title)
    for column in ("severity", "task", "resource", "kind", "explanation"):
        table.add_column(column, overflow="fold")
    for problem in problems:
        table.add_row(
            problem.severity,
            _named(problem.task_name, problem.task_id),
            _named(problem.resource_name, problem.resource_id),
            problem.kind,
            problem.summary,
        )
    return table


def job_fields_table(job: ScheduleJob) -> Table:
    """Every field of the job but its problems (see `problems_table`)."""
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in type(job).model_fields:
        if name != "problems":
            table.add_row(name, text(getattr(job, name)))
    for name, value in (job.model_extra or {}).items():
        table.add_row(name, text(value))
    return table


def failure_summary(job: ScheduleJob) -> str:
    """Why the job failed in one line: its first error's explanation, else its message."""
    first = next((problem for problem in job.problems or () if problem.severity == "error"), None)
    reason = first.summary if first is not None else job.message
    return f"job {job.id} {job.status}: {reason or 'no reason given'}"


def _named(name: str | None, id_: int | None) -> str:
    if id_ is None:
        return name or ""
    return f"{name} (#{id_})" if name else f"#{id_}"
