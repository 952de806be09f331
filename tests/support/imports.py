"""The import graph of a package, read from its source with ast: every import counts, in a function or
under TYPE_CHECKING too, relative ones resolved. For the architecture tests (cycles, layers)."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path


def module_graph(package_dir: Path) -> dict[str, set[str]]:
    """Each module of the package at `package_dir` -> the modules of that package it imports anywhere."""
    package = package_dir.name
    modules: dict[str, Path] = {}
    for path in package_dir.rglob("*.py"):
        parts = (package, *path.relative_to(package_dir).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                targets.update(_imported_from(node, here, modules))
        graph[module] = {target for target in targets if target in modules and target != module}
    return graph


def _imported_from(node: ast.ImportFrom, here: str, modules: dict[str, Path]) -> set[str]:
    """The modules `from base import a, b` imports in package `here`: base.a when that is a module, else
    base (relative imports resolved)."""
    base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else (here if node.level else "")
    base = ".".join(part for part in (base, node.module or "") if part)
    return {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, as the modules around it, or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None
