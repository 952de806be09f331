"""Production tracking for everyone: log time, see your tasks with their progress, leave a note."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from rich.table import Table

from stalker_client._catalog_models import Task
from stalker_client._client import Stalker
from stalker_client._errors import NotFound
from stalker_client.cli._app import app
from stalker_client.cli._durations import UNITS, seconds_of, spoken, start_of
from stalker_client.cli._output import console, text
from stalker_client.cli._session import open_client

ROLES = "resource,responsible,watcher"


def user_id_of(client: Stalker, login: str) -> int:
    user = client.users.by_login(login)
    if user is None:
        raise NotFound(f"no user with login {login!r}", title="Not Found", field="--user")
    return user.id


def logins_of(client: Stalker, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    return {u.id: u.login for u in client.users.list(id__in=wanted, limit=len(wanted))} if wanted else {}


def names_of(client: Stalker, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    return {t.id: t.name for t in client.tasks.list(id__in=wanted, limit=len(wanted))} if wanted else {}


def progress_of(task: Task) -> str:
    """`Layout (task 12) is WIP: 2h of 10h logged (20%), 8h left`."""
    logged, scheduled = task.total_logged_seconds, task.schedule_seconds
    left = f", {spoken(task.remaining_seconds)} left" if task.remaining_seconds > 0 else ""
    return (
        f"{task.name} (task {task.id}) is {task.status}: {spoken(logged)} of {spoken(scheduled)} logged "
        f"({task.percent_complete:.0f}%){left}"
    )


def when(value: datetime | None) -> str:
    """A time to the minute in UTC."""
    return text(value.astimezone(UTC)) if value is not None else ""


def _as_typed(duration: str, seconds: float) -> str:
    """`9h`, or `9h (1d)` when a studio day was typed."""
    said = spoken(seconds)
    return said if "d" not in duration.lower() else f"{said} ({duration.strip()})"


@app.command("log")
def log_time(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task"),
    duration: str = typer.Argument(help=f"How long: 2h, 90min, 1h30min, 1d (a studio working day); {UNITS}"),
    start: str = typer.Option(
        None, "--start", help="ISO 8601, e.g. 2025-01-06T09:00 (default: now minus the duration)"
    ),
    description: str = typer.Option("", "--description", "-d", help="What was done"),
    user: str = typer.Option(
        None, "--user", "-u", help="Whose time, by login (leads and producers; default: yours)"
    ),
) -> None:
    """Log time on a task; the first log of a ready task puts it in progress (WIP)."""
    with open_client(ctx.obj) as client:
        studio = client.studios.first()
        length = timedelta(seconds=seconds_of(duration, studio.daily_working_hours if studio else None))
        resource = user_id_of(client, user) if user else None
        log = client.time_logs.create(
            task_id,
            start=start_of(start, length),
            duration=length,
            resource=resource,
            description=description,
        )
        task = client.tasks.get(task_id)
        who = user or client.me().login
    out = console()
    out.print(
        f"Logged {_as_typed(duration, log.seconds)} on {task.name} (task {task.id}) for {who}: "
        f"{when(log.start)} to {when(log.end)} UTC (time log {log.id})"
    )
    out.print(progress_of(task))


@app.command("tasks")
def list_tasks(
    ctx: typer.Context,
    mine: bool = typer.Option(False, "--mine", "-m", help="Only yours"),
    as_: str = typer.Option(ROLES, "--as", help="With --mine: as resource, responsible or watcher"),
    project: int = typer.Option(None, "--project", "-p", help="Only this project", show_default=False),
    status: str = typer.Option(None, "--status", "-s", help="e.g. WIP, or WIP,HREV", show_default=False),
    limit: int = typer.Option(50, help="How many"),
) -> None:
    """Tasks with their status and progress (`stalker tasks --mine --status WIP,HREV`)."""
    filters: dict[str, Any] = {"sort": "id", "limit": limit}
    if project is not None:
        filters["project_id"] = project
    if status:
        filters["status__in"] = status.upper()
    with open_client(ctx.obj) as client:
        if mine:
            roles = [r.strip() for r in as_.split(",") if r.strip()]
            page = client.users.tasks(client.me().id, roles=roles, **filters)
        else:
            page = client.tasks.list(**filters)
    table = Table(title="Your tasks" if mine else "Tasks")
    for column in (
        "id",
        "name",
        "kind",
        "status",
        "logged",
        "scheduled",
        "%",
        "computed_start",
        "computed_end",
    ):
        table.add_column(column, overflow="fold")
    for task in page:
        table.add_row(
            str(task.id),
            task.name,
            task.kind,
            task.status,
            spoken(task.total_logged_seconds),
            spoken(task.schedule_seconds),
            f"{task.percent_complete:.0f}",
            text(task.computed_start),
            text(task.computed_end),
        )
    out = console()
    out.print(table)
    out.print(f"{len(page)} of {page.total}", style="dim")


@app.command("note")
def add_note(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task"),
    words: str = typer.Argument(metavar="TEXT", help="The note"),
) -> None:
    """Leave a note on a task."""
    with open_client(ctx.obj) as client:
        note = client.notes.create(words, task=task_id)
        task = client.tasks.get(task_id)
    console().print(f"Note {note.id} added to {task.name} (task {task.id}).")


@app.command("notes")
def list_notes(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task"),
    limit: int = typer.Option(20, help="How many"),
) -> None:
    """A task's notes, with those of its versions and reviews, newest first."""
    with open_client(ctx.obj) as client:
        notes = client.notes.list(task_id=task_id, limit=limit)
        authors = logins_of(client, (n.author_id for n in notes))
    table = Table(title=f"Notes of task {task_id}")
    for column in ("id", "when", "author", "on", "text"):
        table.add_column(column, overflow="fold")
    for note in notes:
        on = (
            f"review {note.review_id}"
            if note.review_id
            else f"version {note.version_id}"
            if note.version_id
            else ""
        )
        author = authors.get(note.author_id, "") if note.author_id else ""
        table.add_row(str(note.id), when(note.created_at), author, on, note.text)
    console().print(table)
