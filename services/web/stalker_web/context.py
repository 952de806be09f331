"""What every request of the web app shares: settings, the cookie seal, the templates and one pool of
connections to the services."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import httpx
from fastapi.templating import Jinja2Templates

from stalker_web.api import Refresher
from stalker_web.formatting import FILTERS
from stalker_web.session import SessionSeal
from stalker_web.settings import WebSettings

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
BASE = "/web"


@cache
def _fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """A static file's URL with its content's fingerprint, so browsers may cache it for good."""
    return f"{BASE}/static/{name}?v={_fingerprint(name)}"


class WebContext:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.seal = SessionSeal(settings.sealing_key(), int(settings.session_days * 86_400))
        self.refresher = Refresher()
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.globals.update(static=static_url, base=BASE)
        self.templates.env.filters.update(FILTERS)
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The connection pool to the services, made on first use (in the embedded host the web app's own
        lifespan does not run)."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.settings.api_url.rstrip("/"), timeout=self.settings.api_timeout_seconds
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
