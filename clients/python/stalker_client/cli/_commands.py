"""The app with every command registered (importing the modules adds their commands)."""

from stalker_client.cli import _account, _browse, _calendars, _events, _reviews, _scenarios, _tracking, _work
from stalker_client.cli._app import app

__all__ = [
    "_account",
    "_browse",
    "_calendars",
    "_events",
    "_reviews",
    "_scenarios",
    "_tracking",
    "_work",
    "app",
]
