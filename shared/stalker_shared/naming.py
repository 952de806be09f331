"""File-system friendly names, shared by the catalog (which shows them) and the versions service
(which builds paths from them): the same name must give the same path everywhere."""

from __future__ import annotations

import re

_NOT_KEPT = re.compile(r"[^A-Za-z0-9\s_\-@]")
_LEADING_NON_ALNUM = re.compile(r"^[^A-Za-z0-9]+")
_SEPARATOR_RUN = re.compile(r"[\s\-]+")
_UNDERSCORES = re.compile(r"_+")


def nice_name(name: str) -> str:
    """ASCII letters, digits, `_`, `-` and `@` only; no leading punctuation; spaces and dashes become `_`."""
    text = _NOT_KEPT.sub("", name.strip()).strip()
    text = _LEADING_NON_ALNUM.sub("", text)
    text = _SEPARATOR_RUN.sub("_", text)
    return _UNDERSCORES.sub("_", text)
