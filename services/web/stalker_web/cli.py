"""`stalker-web --host --port`: the web app alone, calling the services at STALKER_WEB_API_URL."""

from __future__ import annotations

import asyncio

import typer

from stalker_shared.logging import configure_logging
from stalker_shared.process import serve
from stalker_web.app import create_web_app
from stalker_web.settings import WebSettings

app = typer.Typer(add_completion=False)


@app.command()
def run(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8090)) -> None:
    """Serve the web app's pages under /web."""
    settings = WebSettings()
    configure_logging(settings.log_level, json=True)
    asyncio.run(serve(create_web_app(settings), host, port))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
