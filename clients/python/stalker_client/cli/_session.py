"""The client a command works with: the URL and credentials from the options, the environment, or what
`stalker login` stored."""

from __future__ import annotations

import os
from dataclasses import dataclass

from stalker_client._client import DEFAULT_URL, Stalker
from stalker_client._errors import AuthenticationError
from stalker_client.cli._config import load_config, store_tokens


@dataclass
class Options:
    """The global options (`stalker --url ...`); None means: look further."""

    url: str | None = None
    timeout: float = 30.0


def base_url(options: Options) -> str:
    return (options.url or os.environ.get("STALKER_URL") or load_config().get("url") or DEFAULT_URL).rstrip(
        "/"
    )


def open_client(options: Options, *, stored_only: bool = False) -> Stalker:
    """Logged in with STALKER_LOGIN/STALKER_PASSWORD when both are set, else with the stored tokens
    (renewed ones stored again)."""
    url = base_url(options)
    login, password = os.environ.get("STALKER_LOGIN"), os.environ.get("STALKER_PASSWORD")
    if login and password and not stored_only:
        return Stalker.connect(url, login, password, timeout=options.timeout)
    stored = load_config()
    token = stored.get("token")
    if not token or str(stored.get("url", "")).rstrip("/") != url:
        raise AuthenticationError(
            f"not logged in to {url}: run `stalker login` (or set STALKER_LOGIN and STALKER_PASSWORD)",
            title="Not logged in",
        )
    refresh = stored.get("refresh_token")
    return Stalker(
        url,
        token=str(token),
        refresh_token=str(refresh) if refresh else None,
        timeout=options.timeout,
        on_tokens=store_tokens,
    )
