"""The caller's operating system in the versions service's words."""

from __future__ import annotations

import platform
from typing import Literal

OperatingSystem = Literal["linux", "macos", "windows"]
_NAMES: dict[str, OperatingSystem] = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}


def current_os() -> OperatingSystem:
    """linux, macos or windows from `platform.system()`; other Unixes count as linux."""
    return _NAMES.get(platform.system(), "linux")
