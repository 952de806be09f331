"""Running the `stalker` command line in-process (Typer's CliRunner), wide enough that tables do not wrap."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from stalker_client.cli._commands import app


def stalker(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    runner = CliRunner(env={"COLUMNS": "250", **(env or {})})
    return runner.invoke(app, list(args), input=input)


def as_admin(base: str) -> dict[str, str]:
    """The environment that logs every command in as the admin, nothing stored."""
    return {"STALKER_URL": base, "STALKER_LOGIN": "admin", "STALKER_PASSWORD": "admin"}
