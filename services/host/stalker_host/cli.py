"""`stalker-host`: run the whole system (embedded or distributed) and export the broker definitions."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import typer

from stalker_host.embedded import create_embedded_app, embedded_runtimes, embedded_web
from stalker_host.gateway import Gateway
from stalker_host.supervisor import PortTaken, ServerUrls, Supervisor, check_ports_free, start_services
from stalker_shared.http_guards import SecurityHeadersMiddleware
from stalker_shared.logging import configure_logging, get_logger
from stalker_shared.messaging import rabbitmq_definitions
from stalker_shared.messaging.access import rabbitmq_users
from stalker_shared.messaging.queues import stalker_topology
from stalker_shared.process import serve

app = typer.Typer(no_args_is_help=False, add_completion=False, invoke_without_command=True)
_log = get_logger(__name__)


def _banner(mode: str, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    print(f"\nStalker Services ({mode}) at {base}", flush=True)
    print(f"  {'web':<10} {base}/web/", flush=True)
    for name in ("catalog", "versions", "scheduler", "events"):
        print(f"  {name:<10} {base}/{name}/healthz   docs: {base}/{name}/docs", flush=True)
    print(flush=True)


@app.callback()
def run(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8080, help="The one port of the base URL"),
) -> None:
    """Run the whole system: distributed when STALKER_POSTGRES_URL and STALKER_AMQP_URL are set, else
    embedded."""
    if ctx.invoked_subcommand is not None:
        return
    if os.environ.get("STALKER_POSTGRES_URL") and os.environ.get("STALKER_AMQP_URL"):
        distributed(host=host, port=port)
    else:
        embedded(host=host, port=port, data_dir=Path(os.environ.get("STALKER_DATA_DIR", "data")))


@app.command()
def embedded(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8080),
    data_dir: Path = typer.Option(Path("data"), help="Where the SQLite files live"),
) -> None:
    """All three services in this process, on SQLite files and an in-process broker."""
    configure_logging(os.environ.get("STALKER_LOG_LEVEL", "INFO"), json=True)
    base_url = f"http://{host}:{port}"
    web = embedded_web(data_dir, base_url)
    asgi = create_embedded_app(embedded_runtimes(data_dir, base_url=base_url), web=web)
    _banner("embedded", host, port)
    asyncio.run(serve(asgi, host, port))


@app.command()
def distributed(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8080)) -> None:
    """Each service's API and worker as separate processes over PostgreSQL and RabbitMQ, behind a gateway."""
    configure_logging(os.environ.get("STALKER_LOG_LEVEL", "INFO"), json=True)
    urls = ServerUrls(postgres=os.environ["STALKER_POSTGRES_URL"], amqp=os.environ["STALKER_AMQP_URL"])
    try:
        asyncio.run(_distributed(urls, host, port))
    except PortTaken as taken:
        typer.echo(f"Error: {taken}", err=True)
        raise typer.Exit(1) from None


async def _distributed(urls: ServerUrls, host: str, port: int) -> None:
    check_ports_free(host, port)
    supervisor = Supervisor()
    try:
        upstreams = await start_services(
            urls,
            supervisor,
            base_port=port,
            db_prefix=os.environ.get("STALKER_DATABASE_PREFIX", "stalker"),
            namespace=os.environ.get("STALKER_MESSAGING_NAMESPACE", ""),
        )
        _banner("distributed", host, port)
        stopping: list[asyncio.Task[None]] = []

        def stop_services_first() -> None:
            # The gateway waits for the responses it passes on; the services end theirs (an event stream
            # lasts until its token expires otherwise) and finish what is in flight, then the gateway exits.
            stopping.append(asyncio.get_running_loop().create_task(supervisor.stop()))

        await serve(SecurityHeadersMiddleware(Gateway(upstreams)), host, port, on_drain=stop_services_first)
    finally:
        await supervisor.stop()


@app.command()
def definitions(
    namespace: str = typer.Option(""),
    vhost: str = typer.Option("/"),
    users: bool = typer.Option(False, "--users", help="Print the per-service broker users instead"),
) -> None:
    """Print the RabbitMQ definitions (exchanges, quorum queues, dead-letter queues, policies) as JSON;
    with --users, each service's broker user and its least-privilege permissions."""
    topology = stalker_topology(namespace)
    document = rabbitmq_users(topology, vhost) if users else rabbitmq_definitions(topology, vhost)
    print(json.dumps(document, indent=2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
