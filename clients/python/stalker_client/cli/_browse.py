"""list and show."""

from __future__ import annotations

from typing import Any

import typer

from stalker_client._catalog_models import ScheduleJob
from stalker_client._client import Stalker
from stalker_client._errors import ValidationError
from stalker_client._model import Page
from stalker_client._versions_models import Version
from stalker_client.cli._app import app
from stalker_client.cli._entities import Entity, entity_named, resource_of
from stalker_client.cli._output import as_json, console, fields_table, table_of
from stalker_client.cli._problems import job_fields_table, problems_table
from stalker_client.cli._session import open_client


def _entity(name: str) -> Entity:
    try:
        return entity_named(name)
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0]), param_hint="ENTITY") from None


def parse_filters(raw: list[str]) -> dict[str, str]:
    """`k=v` pairs; `k__in=a,b` and `k__contains=x` pass through to the API."""
    filters: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r} is not key=value", param_hint="--filter")
        filters[key.strip()] = value.strip()
    return filters


@app.command("list")
def list_(
    ctx: typer.Context,
    entity: str = typer.Argument(help="users, departments, projects, shots, tasks, jobs, repositories..."),
    filter_: list[str] = typer.Option(
        [], "--filter", "-f", help="key=value (also key__in=a,b, key__contains=x)"
    ),
    sort: str = typer.Option(None, help="Fields, comma separated; - for descending", show_default=False),
    limit: int = typer.Option(50, help="How many"),
    offset: int = typer.Option(0, help="How many to skip"),
    columns: str = typer.Option(None, help="Columns, comma separated", show_default=False),
    json_: bool = typer.Option(False, "--json", help="One JSON object per line"),
) -> None:
    """List entities, with filters (`stalker list shots --filter code=SH001`)."""
    kind = _entity(entity)
    filters: dict[str, Any] = parse_filters(filter_)
    with open_client(ctx.obj) as client:
        options = {"sort": sort} if sort else {}
        if kind.attribute == "versions":
            page = _versions(client, filters | options, limit, offset)
        else:
            page = resource_of(client, kind).list(**filters, **options, limit=limit, offset=offset)
    if json_:
        for item in page:
            typer.echo(as_json(item, indent=None))
        return
    shown = tuple(c.strip() for c in columns.split(",")) if columns else kind.columns
    out = console()
    out.print(table_of(page, shown))
    out.print(f"{len(page)} of {page.total}", style="dim")


def _versions(client: Stalker, filters: dict[str, Any], limit: int, offset: int) -> Page[Version]:
    """Versions are listed per task; the other filters are the API's."""
    task_id = filters.pop("task_id", None)
    if task_id is None or not task_id.isdigit():
        raise ValidationError("versions are listed per task: --filter task_id=N", field="task_id")
    return client.versions.list(int(task_id), **filters, limit=limit, offset=offset)


@app.command()
def show(
    ctx: typer.Context,
    entity: str = typer.Argument(help="users, projects, shots, tasks, versions, jobs..."),
    id: int = typer.Argument(help="Its id"),
    json_: bool = typer.Option(False, "--json", help="As JSON"),
) -> None:
    """Show one entity, every field."""
    kind = _entity(entity)
    with open_client(ctx.obj) as client:
        item = resource_of(client, kind).get(id)
    if json_:
        typer.echo(as_json(item))
    elif isinstance(item, ScheduleJob):
        console().print(job_fields_table(item))
        if item.problems:
            console().print(problems_table(item.problems, title="Problems"))
    else:
        console().print(fields_table(item))
