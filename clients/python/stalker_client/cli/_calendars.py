"""The calendars from the command line: leave (`stalker vacation`), public holidays (`stalker holiday`) and a
person's own week (`stalker hours`). Times are the studio's local time."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from stalker_client._calendar_models import WEEKDAYS, Vacation
from stalker_client._client import Stalker
from stalker_client.cli._app import app
from stalker_client.cli._moments import DATE_OR_TIME, day_of, local, moment_of, studio_zone, zone_name
from stalker_client.cli._output import console
from stalker_client.cli._session import open_client
from stalker_client.cli._tracking import logins_of, user_id_of
from stalker_client.cli._week import WEEK_HELP, minutes_text, week_of

vacation_app = typer.Typer(help="Leave: yours, someone's, or the whole studio's.", no_args_is_help=True)
holiday_app = typer.Typer(help="Public holidays: nobody works that day.", no_args_is_help=True)
hours_app = typer.Typer(help="A person's own working week (part-time, another shift).", no_args_is_help=True)
app.add_typer(vacation_app, name="vacation")
app.add_typer(holiday_app, name="holiday")
app.add_typer(hours_app, name="hours")

WHOSE = "Someone else's, by login (admins and producers; default: yours)"
STUDIO = "The whole studio's leave (admins and producers)"
STUDIO_WIDE = "the whole studio"


def _whose(client: Stalker, user: str | None, studio: bool) -> int | None:
    """The user id the leave is for: theirs, the studio's (None), or the caller's."""
    if user and studio:
        raise typer.BadParameter("give --user or --studio, not both", param_hint="--studio")
    if studio:
        return None
    return user_id_of(client, user) if user else client.me().id


def _who(vacation: Vacation, logins: dict[int, str]) -> str:
    return STUDIO_WIDE if vacation.user_id is None else logins.get(vacation.user_id, f"#{vacation.user_id}")


@vacation_app.command("add")
def vacation_add(
    ctx: typer.Context,
    start: str = typer.Argument(help=f"When it starts: {DATE_OR_TIME}"),
    end: str = typer.Argument(
        help="When it ends, excluded: a date is that day's start, so 2025-01-07 2025-01-09 is two days"
    ),
    user: str = typer.Option(None, "--user", "-u", help=WHOSE, show_default=False),
    studio: bool = typer.Option(False, "--studio", help=STUDIO),
    description: str = typer.Option("", "--description", "-d", help="Why (shown to everyone)"),
) -> None:
    """Enter leave; dates and times without an offset are the studio's local time."""
    with open_client(ctx.obj) as client:
        zone = studio_zone(client)
        begins, ends = moment_of(start, zone, "START"), moment_of(end, zone, "END")
        user_id = _whose(client, user, studio)
        vacation = client.vacations.create(user_id=user_id, start=begins, end=ends, description=description)
        who = _who(vacation, logins_of(client, [vacation.user_id]))
    console().print(
        f"Vacation {vacation.id} for {who}: {local(vacation.start, zone)} to {local(vacation.end, zone)} "
        f"({zone_name(zone)})"
    )


@vacation_app.command("list")
def vacation_list(
    ctx: typer.Context,
    user: str = typer.Option(None, "--user", "-u", help="Someone's, by login", show_default=False),
    studio: bool = typer.Option(False, "--studio", help="Only the whole studio's"),
    everyone: bool = typer.Option(False, "--all", "-a", help="Everybody's and the studio's"),
    since: str = typer.Option(None, "--from", help="Only leave ending after this", show_default=False),
    until: str = typer.Option(None, "--to", help="Only leave starting before this", show_default=False),
    limit: int = typer.Option(100, help="How many"),
) -> None:
    """Leave, yours by default; everyone may read the calendar."""
    if sum((bool(user), studio, everyone)) > 1:
        raise typer.BadParameter("give one of --user, --studio and --all", param_hint="--all")
    filters: dict[str, Any] = {"limit": limit}
    with open_client(ctx.obj) as client:
        zone = studio_zone(client)
        if since:
            filters["end__gt"] = moment_of(since, zone, "--from")
        if until:
            filters["start__lt"] = moment_of(until, zone, "--to")
        if studio:
            page, title = client.vacations.list(studio_wide=True, **filters), "The studio's leave"
        elif everyone:
            page, title = client.vacations.list(**filters), "Leave"
        else:
            user_id = _whose(client, user, False)
            page = client.vacations.list(user_id=user_id, **filters)
            title = f"Leave of {user}" if user else "Your leave"
        logins = logins_of(client, (v.user_id for v in page))
    table = Table(title=f"{title} ({zone_name(zone)})")
    for column in ("id", "who", "start", "end", "description"):
        table.add_column(column, overflow="fold")
    for vacation in page:
        table.add_row(
            str(vacation.id),
            _who(vacation, logins),
            local(vacation.start, zone),
            local(vacation.end, zone),
            escape(vacation.description),
        )
    out = console()
    out.print(table)
    out.print(f"{len(page)} of {page.total}", style="dim")


@vacation_app.command("remove")
def vacation_remove(ctx: typer.Context, vacation_id: int = typer.Argument(help="The vacation's id")) -> None:
    """Delete leave (your own; anyone's for admins and producers)."""
    with open_client(ctx.obj) as client:
        client.vacations.delete(vacation_id)
    console().print(f"Vacation {vacation_id} removed.")


@holiday_app.command("add")
def holiday_add(
    ctx: typer.Context,
    day: str = typer.Argument(metavar="DATE", help="The day, e.g. 2025-12-25"),
    name: str = typer.Argument(help="e.g. Christmas"),
) -> None:
    """A public holiday (admins and producers): the whole day off, in the studio's time zone."""
    when = day_of(day, "DATE")
    with open_client(ctx.obj) as client:
        holiday = client.holidays.create(date=when, name=name)
    console().print(f"Holiday {holiday.id}: {holiday.date.isoformat()} {holiday.name}", markup=False)


@holiday_app.command("list")
def holiday_list(
    ctx: typer.Context,
    year: int = typer.Option(None, "--year", "-y", help="Only this year's", show_default=False),
) -> None:
    """The public holidays, by date."""
    filters: dict[str, object] = {}
    if year is not None:
        filters = {"date__gte": f"{year:04d}-01-01", "date__lte": f"{year:04d}-12-31"}
    with open_client(ctx.obj) as client:
        holidays = client.holidays.all(**filters)
    table = Table(title="Public holidays" + (f" in {year}" if year is not None else ""))
    for column in ("id", "date", "name"):
        table.add_column(column, overflow="fold")
    for holiday in holidays:
        table.add_row(str(holiday.id), holiday.date.isoformat(), escape(holiday.name))
    console().print(table)


@holiday_app.command("remove")
def holiday_remove(
    ctx: typer.Context, holiday: str = typer.Argument(metavar="ID_OR_DATE", help="Its id, or its date")
) -> None:
    """Delete a public holiday (admins and producers)."""
    with open_client(ctx.obj) as client:
        if holiday.isdigit():
            holiday_id = int(holiday)
        else:
            found = client.holidays.on(day_of(holiday, "ID_OR_DATE"))
            if found is None:
                raise typer.BadParameter(f"no holiday on {holiday}", param_hint="ID_OR_DATE")
            holiday_id = found.id
        client.holidays.delete(holiday_id)
    console().print(f"Holiday {holiday_id} removed.")


@hours_app.command("show")
def hours_show(
    ctx: typer.Context,
    login: str = typer.Argument(None, help="Whose (default: yours)", show_default=False),
) -> None:
    """A person's week: their own hours, or the studio's they work by default."""
    with open_client(ctx.obj) as client:
        user_id = user_id_of(client, login) if login else client.me().id
        week = client.users.working_hours(user_id)
        zone = studio_zone(client)
    _print_week(login or "you", week.working_hours, week.own, zone)


@hours_app.command("set")
def hours_set(
    ctx: typer.Context,
    login: str = typer.Argument(help="Whose"),
    day: list[str] = typer.Option([], "--day", help=WEEK_HELP, show_default=False),
) -> None:
    """Give a person a week of their own (admins and producers); the days not given are off."""
    hours = week_of(day)
    with open_client(ctx.obj) as client:
        week = client.users.set_working_hours(user_id_of(client, login), hours)
        zone = studio_zone(client)
    _print_week(login, week.working_hours, week.own, zone)


@hours_app.command("reset")
def hours_reset(ctx: typer.Context, login: str = typer.Argument(help="Whose")) -> None:
    """Give a person the studio's week back (admins and producers)."""
    with open_client(ctx.obj) as client:
        client.users.reset_working_hours(user_id_of(client, login))
    console().print(f"{login} works the studio's hours again.")


def _print_week(who: str, hours: dict[str, list[list[int]]], own: bool, zone: tzinfo) -> None:
    whose = "own hours" if own else "the studio's hours"
    out = console()
    out.print(f"Working week of {who}: {whose} ({zone_name(zone)})")
    table = Table()
    for column in ("day", "hours"):
        table.add_column(column)
    total = 0
    for name in sorted(hours, key=lambda d: WEEKDAYS.index(d) if d in WEEKDAYS else len(WEEKDAYS)):
        ranges = hours[name]
        table.add_row(name, ", ".join(minutes_text(r) for r in ranges) or "off")
        total += sum(end - begin for begin, end in ranges)
    out.print(table)
    out.print(f"{total / 60:g}h a week", style="dim")
