"""The `stalker` command: its errors become one clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from stalker_client._errors import StalkerError
from stalker_client.cli._output import console
from stalker_client.cli._session import Options


def report(error: StalkerError) -> None:
    """The message, and the field the server named, on standard error."""
    out = console(stderr=True)
    heading = f"{error.status} {error.title}" if error.status else (error.title or "Error")
    out.print(f"[bold red]Error[/]: {heading}: {error.detail}", markup=True, highlight=False)
    if error.field:
        out.print(f"  field: {error.field}", markup=False)
    for item in error.errors[1:]:
        out.print(f"  field: {item.get('field')}: {item.get('message')}", markup=False)


class Commands(TyperGroup):
    """Every command runs inside this: StalkerError and OSError end it with a message and exit code 1."""

    def invoke(self, ctx: Any) -> Any:  # typer's own Context class is private
        try:
            return super().invoke(ctx)
        except StalkerError as error:
            report(error)
            raise typer.Exit(1) from None
        except OSError as error:
            console(stderr=True).print(f"Error: {error}", markup=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=Commands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Stalker Services from the command line. Log in once with `stalker login`.",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    url: str | None = typer.Option(None, "--url", help="Base URL (else STALKER_URL, else the stored one)"),
    timeout: float = typer.Option(30.0, help="Seconds to wait for each answer"),
) -> None:
    ctx.obj = Options(url=url, timeout=timeout)
