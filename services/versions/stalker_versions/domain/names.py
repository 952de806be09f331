"""File-system friendly names: `nice_name` of any entity and the nice name of a version."""

from __future__ import annotations

from collections.abc import Sequence

from stalker_shared.naming import nice_name

__all__ = ["NAMING_ROOT_KINDS", "naming_parents", "nice_name", "version_nice_name"]

# Kinds that end the walk up the task tree when a version's nice name is built.
NAMING_ROOT_KINDS = frozenset({"shot", "asset", "sequence"})


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
    return nice_name("_".join([*parts, take_name]))
