"""File-system friendly names: `nice_name` of any entity and the nice name of a version.

`nice_name` is the reference's (shared/stalker_shared/naming.py): it keeps only ASCII letters, digits,
`_`, `-` and `@`, so a name can never carry `.`, `/`, `\\` or `:` into a path (`../P2/T2` becomes `P2T2`,
as in Stalker). What it keeps can still be a name Windows reserves for a device (`CON`, `nul`, `COM1`);
such a name gets a trailing `_` (`CON_`), the one place where a path differs from the reference's."""

from __future__ import annotations

from collections.abc import Sequence

from stalker_shared.naming import nice_name

__all__ = [
    "NAMING_ROOT_KINDS",
    "is_reserved",
    "naming_parents",
    "nice_name",
    "path_nice_name",
    "version_nice_name",
]

# Kinds that end the walk up the task tree when a version's nice name is built.
NAMING_ROOT_KINDS = frozenset({"shot", "asset", "sequence"})
# Device names Windows will not use for a file or folder, whatever the case or extension (`con.ma`).
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in ("0123456789" + "\u00b9\u00b2\u00b3")}
)


def is_reserved(segment: str) -> bool:
    """`CON`, `nul.txt`, `Com1 .ma`: a file or folder name Windows reserves for a device."""
    return segment.split(".", 1)[0].rstrip(" ").upper() in RESERVED_NAMES


def path_nice_name(name: str) -> str:
    """`nice_name`, with a trailing `_` when the result is a reserved device name (`CON` -> `CON_`)."""
    nice = nice_name(name)
    return nice + "_" if is_reserved(nice) else nice


def naming_parents(chain: Sequence[tuple[str, str]]) -> list[str]:
    """Names of the task and its ancestors up to the nearest shot, asset or sequence, root first.

    `chain` is (kind, name) from the root down to the task; with no such kind, the whole chain counts.
    """
    names: list[str] = []
    for kind, name in reversed(chain):
        names.append(name)
        if kind in NAMING_ROOT_KINDS:
            break
    return list(reversed(names))


def version_nice_name(chain: Sequence[tuple[str, str]], take_name: str) -> str:
    """`SH001_comp_Main` for comp under shot SH001, take Main."""
    parts = [nice_name(name) for name in naming_parents(chain)]
    return path_nice_name("_".join([*parts, take_name]))
