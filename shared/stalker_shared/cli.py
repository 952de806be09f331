"""The command line every service image offers: `api`, `worker` and `migrate`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import typer

from stalker_shared.http import create_service_app
from stalker_shared.logging import configure_logging
from stalker_shared.migrations import make_revision
from stalker_shared.process import migrate, run_worker, serve
from stalker_shared.runtime import Runtime, ServiceDefinition
from stalker_shared.settings import ServiceSettings


def service_cli(
    definition: Callable[[Any], ServiceDefinition], settings: Callable[[], ServiceSettings]
) -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, add_completion=False)

    def runtime(role: str) -> Runtime:
        config = settings()
        configure_logging(config.log_level, config.log_json)
        return Runtime(definition(config), config, role=role)

    @app.command()
    def api(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
        port: int = typer.Option(8000, help="Port to listen on"),
    ) -> None:
        """Serve the HTTP API under uvicorn."""
        asyncio.run(serve(create_service_app(runtime("api")), host, port))

    @app.command()
    def worker(
        relay: bool = typer.Option(True, help="Publish this service's outbox"),
        consumers: bool = typer.Option(True, help="Consume this service's queues"),
    ) -> None:
        """Run the outbox relay and the message consumers until SIGTERM."""
        raise typer.Exit(asyncio.run(run_worker(runtime("worker"), relay=relay, consumers=consumers)))

    @app.command(name="migrate")
    def migrate_command() -> None:
        """Upgrade this service's database to the latest migration."""
        asyncio.run(migrate(runtime("migrate")))

    @app.command()
    def revision(
        message: str = typer.Option(..., "--message", "-m", help="What the migration does"),
        rev_id: str | None = typer.Option(None, help="Revision id (default: random)"),
    ) -> None:
        """Autogenerate a migration (developers: run against a database at head)."""
        rt = runtime("migrate")
        asyncio.run(make_revision(rt.engine, rt.definition.migrations, message, rev_id))

    return app
