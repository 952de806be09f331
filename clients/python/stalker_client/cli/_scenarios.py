"""What-if runs from the command line: `stalker schedule what-if` imagines changes and (with --wait) shows
which tasks move and by how much; `scenario` shows it again, `apply` makes it the plan, `drop` discards it."""

from __future__ import annotations

from datetime import tzinfo

import typer
from rich.markup import escape
from rich.table import Table

from stalker_client._client import Stalker
from stalker_client._errors import Conflict
from stalker_client._scenario_models import Scenario, TaskMove
from stalker_client.cli._app import report
from stalker_client.cli._durations import spoken
from stalker_client.cli._moments import local, studio_zone, zone_name
from stalker_client.cli._output import console
from stalker_client.cli._problems import problems_table
from stalker_client.cli._scheduling import schedule_app
from stalker_client.cli._session import open_client
from stalker_client.cli._tracking import logins_of
from stalker_client.cli._what_if import HELP, typed, what_if_of
from stalker_client.cli._work import _follow, _report

MOVE_COLUMNS = ("task", "planned end", "scenario end", "shift", "resources", "misses end")


@schedule_app.command("what-if")
def what_if(
    ctx: typer.Context,
    vacation: list[str] = typer.Option([], "--vacation", help=HELP["--vacation"], show_default=False),
    cancel_vacation: list[int] = typer.Option(
        [], "--cancel-vacation", help=HELP["--cancel-vacation"], show_default=False
    ),
    add_artist: list[str] = typer.Option([], "--add-artist", help=HELP["--add-artist"], show_default=False),
    remove_artist: list[str] = typer.Option(
        [], "--remove-artist", help=HELP["--remove-artist"], show_default=False
    ),
    timing: list[str] = typer.Option([], "--timing", help=HELP["--timing"], show_default=False),
    priority: list[str] = typer.Option([], "--priority", help=HELP["--priority"], show_default=False),
    project_end: list[str] = typer.Option(
        [], "--project-end", help=HELP["--project-end"], show_default=False
    ),
    project: list[int] = typer.Option([], "--project", "-p", help="Only this project (repeatable)"),
    studio: int = typer.Option(None, "--studio", "-s", help="The studio (default: the only one)"),
    wait: bool = typer.Option(False, "--wait", "-w", help="Follow the job and show the scenario"),
    timeout: float = typer.Option(600.0, help="Seconds to wait with --wait"),
) -> None:
    """Imagine changes and let tj3 schedule with them; nothing is applied until `apply`. Dates without an
    offset are the studio's local time."""
    given = typed(
        vacations=vacation,
        cancelled=cancel_vacation,
        added=add_artist,
        removed=remove_artist,
        timings=timing,
        priorities=priority,
        project_ends=project_end,
    )
    with open_client(ctx.obj) as client:
        studio_id = studio if studio is not None else _only_studio(client)
        zone = studio_zone(client, studio_id)
        changes = what_if_of(client, given, zone)
        job = client.studios.schedule(studio_id, project_ids=project or None, what_if=changes)
        console().print(f"What-if job {job.id}: {job.status} (scenario {job.scenario_status})")
        if not wait:
            console().print(f"See it with `stalker schedule scenario {job.id}` once it is ready.")
            return
        done = _follow(client, job, timeout)
        if done.status != "completed":
            _report(done)  # why it failed, as an error
        if done.problems:
            console().print(problems_table(done.problems, title="Warnings"))
        _show(client, client.jobs.scenario(job.id), zone)


@schedule_app.command("scenario")
def scenario(ctx: typer.Context, job_id: int = typer.Argument(help="The what-if job")) -> None:
    """A what-if run's scenario against the current plan: the tasks it moves, and by how much."""
    with open_client(ctx.obj) as client:
        found = client.jobs.scenario(job_id)
        zone = studio_zone(client, client.jobs.get(job_id).studio_id)
        _show(client, found, zone)


@schedule_app.command("apply")
def apply(ctx: typer.Context, job_id: int = typer.Argument(help="The what-if job")) -> None:
    """Make the scenario's changes and its dates the plan, at once (refused if its inputs changed since)."""
    with open_client(ctx.obj) as client:
        try:
            client.jobs.apply(job_id)
        except Conflict as refused:
            _refused(refused, job_id)
    console().print(f"Scenario of job {job_id} applied: its changes are made and its dates are the plan.")


@schedule_app.command("drop")
def drop(ctx: typer.Context, job_id: int = typer.Argument(help="The what-if job")) -> None:
    """Discard the scenario."""
    with open_client(ctx.obj) as client:
        client.jobs.drop(job_id)
    console().print(f"Scenario of job {job_id} dropped.")


def _only_studio(client: Stalker) -> int:
    studio = client.studios.first()
    if studio is None:
        raise typer.BadParameter("there is no studio to schedule", param_hint="--studio")
    return studio.id


def _refused(error: Conflict, job_id: int) -> None:
    """The 409's message, then what changed since the scenario was computed."""
    report(error)
    changed = error.body.get("changed") if isinstance(error.body, dict) else None
    if isinstance(changed, dict):
        out = console(stderr=True)
        for what, ids in changed.items():
            listed = f"{what} " + ", ".join(str(i) for i in ids) if isinstance(ids, list) else f"the {what}"
            out.print(f"  changed since: {listed}", markup=False)
        out.print(
            f"  Run the what-if again; `stalker schedule drop {job_id}` discards this one.", markup=False
        )
    raise typer.Exit(1)


def _show(client: Stalker, found: Scenario, zone: tzinfo) -> None:
    out = console()
    if found.status != "ready":
        why = "the run is not done yet" if found.status == "pending" else "nothing to compare"
        out.print(f"Scenario of job {found.job_id} is {found.status}: {why}.")
        return
    people = logins_of(client, {r for m in found.moves for r in (*m.resources_before, *m.resources_after)})
    table = Table(title=f"Scenario of job {found.job_id} against the plan ({zone_name(zone)})")
    for column in MOVE_COLUMNS:
        table.add_column(column, overflow="fold")
    for move in found.moves:
        table.add_row(
            escape(f"{move.name} (#{move.task_id})"),
            local(move.planned_end, zone),
            local(move.end, zone),
            _shift(move.end_shift_hours),
            _resources(move, people),
            "yes" if move.misses_project_end else "",
        )
    if found.moves:
        out.print(table)
    codes = _codes(client, [p.project_id for p in found.projects])
    for outcome in found.projects:
        line = f"Project {codes.get(outcome.project_id, outcome.project_id)} ends {local(outcome.end, zone)}"
        if outcome.planned_end is not None:
            line += f" (planned {local(outcome.planned_end, zone)})"
        if outcome.deadline is not None:
            side = "after" if outcome.misses_deadline else "within"
            line += f", {side} its end {local(outcome.deadline, zone)}"
        out.print(line, markup=False)
    moved, missing = found.tasks_moved, len(found.tasks_missing_project_end)
    out.print(
        f"{moved} {'task moves' if moved == 1 else 'tasks move'}; "
        f"{missing} {'misses' if missing == 1 else 'miss'} its project's end."
    )
    out.print(
        f"Apply: `stalker schedule apply {found.job_id}`; drop: `stalker schedule drop {found.job_id}`.",
        style="dim",
    )


def _shift(hours: float | None) -> str:
    """+48h, -3h30min, 0h; `new` for a task the plan did not place."""
    if hours is None:
        return "new"
    return ("+" if hours > 0 else "") + spoken(hours * 3600)


def _resources(move: TaskMove, logins: dict[int, str]) -> str:
    def named(ids: list[int]) -> str:
        return ", ".join(logins.get(i, f"#{i}") for i in ids) or "none"

    before, after = named(move.resources_before), named(move.resources_after)
    return before if before == after else f"{before} -> {after}"


def _codes(client: Stalker, ids: list[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {p.id: f"{p.code} (#{p.id})" for p in client.projects.list(id__in=wanted, limit=len(wanted))}
