"""Routes each request to the app that owns its first path segment, without rewriting the path."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send


class PrefixDispatcher:
    def __init__(self, apps: Mapping[str, ASGIApp], fallback: ASGIApp) -> None:
        self._apps = dict(apps)
        self._fallback = fallback

    def app_for(self, path: str) -> ASGIApp:
        segment = path.lstrip("/").split("/", 1)[0]
        return self._apps.get(segment, self._fallback)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._fallback(scope, receive, send)
            return
        await self.app_for(scope["path"])(scope, receive, send)


def wants_page(accept: str | None) -> bool:
    """A browser asking for the base URL (it accepts HTML) is sent to the web app."""
    return accept is not None and "text/html" in accept
