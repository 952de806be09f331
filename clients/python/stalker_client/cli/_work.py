"""Everyday work: schedule and follow the job, a task's dates, TJP text, a new version, project folders."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from stalker_client._catalog_models import ScheduleJob
from stalker_client._client import Stalker
from stalker_client._errors import SchedulingFailed
from stalker_client._platform import OperatingSystem
from stalker_client.cli._app import app
from stalker_client.cli._output import console, table_of, text
from stalker_client.cli._problems import failure_summary, problems_table
from stalker_client.cli._scheduling import schedule_app
from stalker_client.cli._session import open_client

task_app = typer.Typer(help="Tasks: computed dates; hold, stop, resume.", no_args_is_help=True)
version_app = typer.Typer(help="Versions: create them and see their paths.", no_args_is_help=True)
project_app = typer.Typer(help="Projects: default folders on disk.", no_args_is_help=True)
app.add_typer(task_app, name="task")
app.add_typer(version_app, name="version")
app.add_typer(project_app, name="project")


@schedule_app.command("run")
def schedule(
    ctx: typer.Context,
    studio_id: int = typer.Argument(help="The studio to schedule"),
    project: list[int] = typer.Option([], "--project", "-p", help="Only this project (repeatable)"),
    compute_resources: bool = typer.Option(False, help="Also compute who does each task"),
    wait: bool = typer.Option(False, "--wait", "-w", help="Follow the job until it ends"),
    timeout: float = typer.Option(600.0, help="Seconds to wait with --wait"),
) -> None:
    """Ask tj3 to schedule the studio; with --wait, follow the job with a progress display."""
    with open_client(ctx.obj) as client:
        job = client.studios.schedule(
            studio_id, project_ids=project or None, compute_resources=compute_resources
        )
        console().print(f"Schedule job {job.id}: {job.status}")
        if wait:
            _report(_follow(client, job, timeout))


def _report(job: ScheduleJob) -> None:
    """The job's end: its problems as a table (on standard error if it failed); a failure is an error."""
    failed = job.status != "completed"
    if job.problems:
        title = "Why it failed" if failed else "Warnings"
        console(stderr=failed).print(problems_table(job.problems, title=title))
    if failed:
        raise SchedulingFailed(failure_summary(job), job=job)
    console().print(
        f"Schedule job {job.id}: {job.status}, {job.tasks_scheduled} tasks scheduled"
        + (f" ({job.message})" if job.message and not job.problems else "")
    )


def _follow(client: Stalker, job: ScheduleJob, timeout: float) -> ScheduleJob:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console(stderr=True), transient=True) as progress:
        shown = progress.add_task(f"job {job.id}: {job.status}", total=None)

        def update(seen: ScheduleJob) -> None:
            progress.update(shown, description=f"job {seen.id}: {seen.status}")

        return client.jobs.wait(job.id, timeout, progress=update, raise_on_failure=False)


@app.command()
def tjp(
    ctx: typer.Context,
    entity: str = typer.Argument(help="studio, project, user or task"),
    id: int = typer.Argument(help="Its id"),
    studio: int = typer.Option(None, "--studio", "-s", help="The studio (default: the only one)"),
) -> None:
    """Print the TaskJuggler text of a studio, project, user or task."""
    if entity not in ("studio", "project", "user", "task"):
        raise typer.BadParameter("choose studio, project, user or task", param_hint="ENTITY")
    with open_client(ctx.obj) as client:
        typer.echo(client.to_tjp(entity, id, studio_id=studio), nl=False)  # type: ignore[arg-type]


@task_app.command("dates")
def task_dates(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task"),
    children: bool = typer.Option(False, "--children", "-c", help="Its children's dates too"),
) -> None:
    """The computed start and end that tj3 gave the task."""
    with open_client(ctx.obj) as client:
        tasks = [client.tasks.get(task_id)]
        if children:
            tasks += client.tasks.children(task_id)
    columns = ("id", "name", "kind", "status", "computed_start", "computed_end")
    console().print(table_of(tasks, columns, title="Computed dates (UTC)"))


@version_app.command("create")
def version_create(
    ctx: typer.Context,
    task_id: int = typer.Argument(help="The task"),
    take: str = typer.Option("Main", "--take", "-t", help="The take name"),
    extension: str = typer.Option(None, "--extension", "-e", help="e.g. ma or .nk", show_default=False),
    description: str = typer.Option("", help="What changed"),
    os: str = typer.Option(None, help="Absolute paths for linux, macos or windows (default: this one)"),
) -> None:
    """Create the task's next version and print its paths."""
    target: OperatingSystem | None = os  # type: ignore[assignment]
    with open_client(ctx.obj) as client:
        version = client.versions.create(
            task_id, take_name=take, extension=extension, description=description, os=target
        )
    for name in ("id", "version_number", "take_name", "path", "filename", "full_path", "os"):
        typer.echo(f"{name + ':':<20}{text(getattr(version, name))}")
    typer.echo(f"{'absolute_path:':<20}{text(version.absolute_path)}")
    typer.echo(f"{'absolute_full_path:':<20}{text(version.absolute_full_path)}")


@project_app.command("mkdirs")
def project_mkdirs(
    ctx: typer.Context,
    project_id: int = typer.Argument(help="The project"),
    root: Path = typer.Option(
        None,
        "--root",
        help="Make them under this folder instead of the repository's root",
        show_default=False,
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print them"),
) -> None:
    """Create the project's default folders (its structure's custom template) on this computer."""
    with open_client(ctx.obj) as client:
        if dry_run:
            listing = client.storage.directories(project_id)
            folders = [Path(listing.root), *(Path(d) for d in listing.directories)]
        else:
            folders = client.storage.make_directories(project_id, root=root)
    for folder in folders:
        typer.echo(str(folder))
    if not dry_run:
        console(stderr=True).print(f"{len(folders)} folders ready.")
