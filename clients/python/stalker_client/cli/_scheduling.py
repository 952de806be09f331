"""`stalker schedule`: a run (`stalker schedule STUDIO_ID`, as ever) and what-if runs (`stalker schedule
what-if|scenario|apply|drop`) under one name."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from stalker_client.cli._app import app

RUN = "run"


class RunByDefault(TyperGroup):
    """A group whose arguments go to its `run` command unless they start with one of its command names,
    so `stalker schedule 1 --wait` keeps meaning `stalker schedule run 1 --wait`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's Context class is private
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [RUN, *args]
        result: list[str] = super().parse_args(ctx, args)
        return result

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "[STUDIO_ID [OPTIONS]] | COMMAND [ARGS]...")


schedule_app = typer.Typer(
    cls=RunByDefault,
    no_args_is_help=True,
    help="Schedule the studio (`stalker schedule STUDIO_ID`, the same as `run`), or imagine changes first: "
    "`what-if` computes a scenario without applying it, `scenario` shows it, `apply` or `drop` decides.",
)
app.add_typer(schedule_app, name="schedule")
