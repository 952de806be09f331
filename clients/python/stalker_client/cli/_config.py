"""Where `stalker login` keeps the base URL and tokens (access and refresh):
~/.config/stalker/config.json, readable by its owner only (mode 0600; the folder 0700). XDG_CONFIG_HOME
moves it, as elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "stalker" / "config.json"


def load_config() -> dict[str, Any]:
    path = config_path()
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_config(values: dict[str, Any]) -> Path:
    """Write the file so that no other user can read the token, even for a moment."""
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file may have had wider permissions
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(values, out, indent=2)
    return path


def forget_token() -> bool:
    """Remove the stored tokens; True if there were any."""
    values = load_config()
    if "token" not in values and "refresh_token" not in values:
        return False
    values.pop("token", None)
    values.pop("refresh_token", None)
    save_config(values)
    return True


def store_tokens(token: str | None, refresh_token: str | None) -> None:
    """Keep a renewed pair (the old refresh token is refused from now on)."""
    save_config({**load_config(), "token": token, "refresh_token": refresh_token})
