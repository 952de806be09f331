"""login, logout, whoami and init."""

from __future__ import annotations

import os

import typer

from stalker_client._client import Stalker
from stalker_client._errors import StalkerError
from stalker_client.cli._app import app
from stalker_client.cli._config import config_path, forget_token, load_config, save_config
from stalker_client.cli._output import console
from stalker_client.cli._session import Options, base_url, open_client


@app.command()
def login(
    ctx: typer.Context,
    user: str = typer.Option(
        None, "--login", "-l", help="Login (else STALKER_LOGIN, else asked)", show_default=False
    ),
    password: str = typer.Option(
        None, "--password", help="Password (else STALKER_PASSWORD, else asked)", show_default=False
    ),
) -> None:
    """Log in and keep the tokens in ~/.config/stalker/config.json (readable by you only)."""
    options: Options = ctx.obj
    url = base_url(options)
    user = user or os.environ.get("STALKER_LOGIN") or typer.prompt("Login")
    password = password or os.environ.get("STALKER_PASSWORD") or typer.prompt("Password", hide_input=True)
    with Stalker(url, timeout=options.timeout) as client:
        client.login(user, password)
        me = client.me()
        tokens = {"token": client.token, "refresh_token": client.refresh_token}
    path = save_config({**load_config(), "url": url, "login": me.login, **tokens})
    console().print(f"Logged in to {url} as {me.login}{' (admin)' if me.is_admin else ''}; token in {path}")


@app.command()
def logout(ctx: typer.Context) -> None:
    """Revoke your tokens on the server (every session of yours ends) and forget the stored ones."""
    if "token" not in load_config():
        console().print(f"No token stored in {config_path()}.")
        return
    try:
        with open_client(ctx.obj, stored_only=True) as client:
            client.logout()
    except StalkerError as refused:  # expired or revoked already, or the server is away: forget them anyway
        forget_token()
        console().print(f"Forgot the stored tokens; the server did not revoke them: {refused}")
        return
    forget_token()
    console().print("Logged out: every token of yours is revoked.")


@app.command()
def whoami(ctx: typer.Context) -> None:
    """Who the stored token (or STALKER_LOGIN) belongs to."""
    with open_client(ctx.obj) as client:
        me = client.me()
        console().print(f"{me.login} (id {me.id}{', admin' if me.is_admin else ''}) at {client.base_url}")


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the default data where missing: admins, statuses, status lists, types (admins only)."""
    with open_client(ctx.obj) as client:
        report = client.init()
    created = {k: v for k, v in report.get("created", {}).items() if v}
    if created:
        console().print("Created: " + ", ".join(f"{count} {kind}" for kind, count in created.items()))
    else:
        console().print("Nothing to do: the default data is there.")
