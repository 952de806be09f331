"""The workflow from the command line: ask for a review, approve, send back with a note, list what
waits; hold, stop and resume a task."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from stalker_client._client import Stalker
from stalker_client._tracking_models import ActionResult
from stalker_client.cli._app import app
from stalker_client.cli._durations import timing_of
from stalker_client.cli._output import console
from stalker_client.cli._session import open_client
from stalker_client.cli._tracking import logins_of, names_of, progress_of, when
from stalker_client.cli._work import task_app

review_app = typer.Typer(
    help="Reviews: ask for one, approve, send back, list the waiting.", no_args_is_help=True
)
app.add_typer(review_app, name="review")


def show_result(client: Stalker, result: ActionResult, heading: str) -> None:
    """The heading, where the task stands, and every status the action moved."""
    moved = result.status_changes
    names = names_of(client, (c.task_id for c in moved))
    out = console()
    out.print(heading)
    out.print(progress_of(result.task))
    for change in moved:
        name = names.get(change.task_id, "?")
        out.print(f"  {name} (task {change.task_id}): {change.from_status} -> {change.to_status}")


@review_app.command("request")
def request(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task (WIP)"),
    version: int = typer.Option(None, "--version", "-v", help="The version to look at", show_default=False),
    description: str = typer.Option("", "--description", "-d", help="What to look at"),
) -> None:
    """Ask the task's responsible for a review: the task goes to PREV."""
    with open_client(ctx.obj) as client:
        result = client.tasks.request_review(task_id, version=version, description=description)
        reviewers = logins_of(client, (r.reviewer_id for r in result.reviews))
        asked = ", ".join(
            f"review {r.id} for {reviewers.get(r.reviewer_id, r.reviewer_id)}" for r in result.reviews
        )
        round_ = result.reviews[0].review_number if result.reviews else 0
        show_result(client, result, f"Review requested (round {round_}): {asked}.")


@review_app.command("approve")
def approve(
    ctx: typer.Context,
    review_id: int = typer.Argument(help="The review"),
    note: str = typer.Option(None, "--note", "-n", help="Your comment", show_default=False),
) -> None:
    """Approve; with every review of the round approved, the task is complete (CMPL)."""
    with open_client(ctx.obj) as client:
        result = client.reviews.approve(review_id, note)
        show_result(client, result, f"Review {review_id} approved.")


@review_app.command("revise")
def revise(
    ctx: typer.Context,
    review_id: int = typer.Argument(help="The review"),
    time: str = typer.Option(..., "--time", "-t", help="The extra time the revision needs: 2h, 90min, 1d"),
    note: str = typer.Option("", "--note", "-n", help="What to change"),
) -> None:
    """Send the work back with the extra time it needs: the task goes to HREV once the round is over."""
    timing, unit = timing_of(time, "--time")
    with open_client(ctx.obj) as client:
        result = client.reviews.request_revision(
            review_id, schedule_timing=timing, schedule_unit=unit, description=note
        )
        show_result(client, result, f"Review {review_id}: revision requested, {time} more.")


@task_app.command("revise")
def revise_task(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task (PREV or CMPL)"),
    time: str = typer.Option(..., "--time", "-t", help="The extra time it needs: 2h, 90min, 1d"),
    note: str = typer.Option("", "--note", "-n", help="What to change"),
) -> None:
    """Send a task under review or complete back (HREV) with the extra time it needs, as its reviewer."""
    timing, unit = timing_of(time, "--time")
    with open_client(ctx.obj) as client:
        result = client.tasks.request_revision(
            task_id, schedule_timing=timing, schedule_unit=unit, description=note
        )
        show_result(client, result, f"Task {task_id} sent back, {time} more.")


@review_app.command("list")
def list_reviews(
    ctx: typer.Context,
    mine: bool = typer.Option(False, "--mine", "-m", help="Only those waiting for you"),
    project: int = typer.Option(None, "--project", "-p", help="Only this project", show_default=False),
    task: int = typer.Option(None, "--task", help="Only this task's", show_default=False),
    every: bool = typer.Option(False, "--all", help="Decided ones too"),
    limit: int = typer.Option(50, help="How many"),
) -> None:
    """The reviews waiting for a decision, oldest first."""
    filters: dict[str, Any] = {"sort": "id", "limit": limit}
    for key, value in (("project_id", project), ("task_id", task)):
        if value is not None:
            filters[key] = value
    if not every:
        filters["status"] = "NEW"
    with open_client(ctx.obj) as client:
        if mine:
            filters["reviewer_id"] = client.me().id
        page = client.reviews.list(**filters)
        tasks = names_of(client, (r.task_id for r in page))
        reviewers = logins_of(client, (r.reviewer_id for r in page))
    table = Table(title="Reviews" if every else "Reviews waiting")
    for column in ("id", "task", "reviewer", "round", "status", "version", "asked", "description"):
        table.add_column(column, overflow="fold")
    for r in page:
        table.add_row(
            str(r.id),
            f"{tasks.get(r.task_id, '?')} ({r.task_id})",
            reviewers.get(r.reviewer_id, str(r.reviewer_id)),
            str(r.review_number),
            r.status,
            str(r.version_id or ""),
            when(r.created_at),
            r.description,
        )
    out = console()
    out.print(table)
    out.print(f"{len(page)} of {page.total}", style="dim")


def _task_action(name: str, done: str, summary: str) -> None:
    def act(ctx: typer.Context, task_id: int = typer.Argument(help="The task")) -> None:
        with open_client(ctx.obj) as client:
            result = getattr(client.tasks, name)(task_id)
            show_result(client, result, f"Task {task_id} {done}.")

    act.__doc__ = summary
    task_app.command(name)(act)


for _name, _done, _summary in (
    ("hold", "held", "Put a WIP or DREV task on hold (OH, priority 0)."),
    ("stop", "stopped", "Stop a WIP or DREV task (STOP): its timing becomes the time logged."),
    ("resume", "resumed", "Resume a held or stopped task."),
):
    _task_action(_name, _done, _summary)
