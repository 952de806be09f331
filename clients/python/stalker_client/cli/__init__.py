"""The `stalker` command line (needs the `cli` extra: pip install 'stalker-client[cli]')."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `stalker` console script."""
    try:
        from stalker_client.cli._commands import app
    except ImportError as missing:
        sys.stderr.write(f"stalker: {missing.name} is missing: pip install 'stalker-client[cli]'\n")
        sys.exit(1)
    try:
        app()
    except Exception as unexpected:  # the commands report what they expect; this is the last resort
        sys.stderr.write(f"Error: unexpected {type(unexpected).__name__}: {unexpected}\n")
        sys.exit(1)
