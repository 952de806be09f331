"""`stalker events`: what changes in the system, as it happens (`tail`), and the kinds of change (`types`)."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC
from typing import Any

import typer

from stalker_client._client import Stalker
from stalker_client._errors import NotFound
from stalker_client._event_models import Event
from stalker_client.cli._app import app
from stalker_client.cli._output import as_json
from stalker_client.cli._session import open_client

events_app = typer.Typer(help="The event log: every change, in order, live.", no_args_is_help=True)
app.add_typer(events_app, name="events")

STUDIO = "-"  # the project column of the studio's own events (people, calendars, schedules)


def project_id_of(client: Stalker, code_or_id: str) -> int:
    if code_or_id.isdigit():
        return int(code_or_id)
    project = client.projects.by_code(code_or_id)
    if project is None:
        raise NotFound(f"no project with code {code_or_id!r}", title="Not Found", field="--project")
    return project.id


def summary_of(data: dict[str, Any]) -> str:
    """What the event is about, from its payload: `Layout (LAY) #12`, `SH001 #5`, `#7`."""
    name, code, item_id = data.get("name"), data.get("code"), data.get("id")
    parts = [str(name)] if name else []
    if code and code != name:
        parts.append(f"({code})" if parts else str(code))
    if item_id is not None:
        parts.append(f"#{item_id}")
    return " ".join(parts)


class ProjectCodes:
    """Project ids as codes, each project asked for once; a deleted one stays its id."""

    def __init__(self, client: Stalker) -> None:
        self._client, self._codes = client, dict[int, str]()

    def __call__(self, project_id: int | None) -> str:
        if project_id is None:
            return STUDIO
        if project_id not in self._codes:
            found = self._client.projects.first(id=project_id)
            self._codes[project_id] = found.code if found is not None else f"#{project_id}"
        return self._codes[project_id]


def line_of(event: Event, project: str) -> str:
    when = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return "  ".join((str(event.cursor), when, event.type, project, summary_of(event.data)))


@events_app.command("tail")
def tail(
    ctx: typer.Context,
    type_: list[str] = typer.Option(
        [], "--type", "-t", help="Type patterns: catalog.task.* (* one word, # any words)"
    ),
    project: list[str] = typer.Option([], "--project", "-p", help="Only this project (code or id)"),
    after: int = typer.Option(None, "--after", help="Start after this cursor (default: the oldest kept)"),
    json_: bool = typer.Option(False, "--json", help="Each event as one line of JSON"),
    follow: bool = typer.Option(True, "--follow/--no-follow", help="Go on with new events as they come"),
) -> None:
    """Print the events, one a line (cursor, time in UTC, type, project, what), then follow new ones."""
    with open_client(ctx.obj) as client:
        project_ids = [project_id_of(client, p) for p in project]
        codes = ProjectCodes(client)
        if follow:
            events = client.events.stream(after, type_, project_ids)
        else:
            events = client.events.iter(after, type_, project_ids)
        with closing(events):  # the stream's connection closes however the loop ends (Ctrl-C: exit 130)
            for event in events:
                typer.echo(as_json(event, indent=None) if json_ else line_of(event, codes(event.project_id)))


@events_app.command("types")
def types(ctx: typer.Context) -> None:
    """Every type of event the log records (what --type patterns match)."""
    with open_client(ctx.obj) as client:
        for name in client.events.types():
            typer.echo(name)
