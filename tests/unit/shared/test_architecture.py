"""The services never import each other; only shared/ crosses a boundary. The host composes them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("catalog", "versions", "scheduler")


def imported_packages(source_dir: Path, root: Path = ROOT) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in source_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(root)))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    imports = imported_packages(ROOT / "services" / service / f"stalker_{service}")
    for other in SERVICES:
        if other != service:
            assert f"stalker_{other}" not in imports, (
                f"stalker_{service} imports stalker_{other}: {imports.get(f'stalker_{other}')}"
            )
    assert "stalker_host" not in imports


def test_shared_imports_no_service() -> None:
    imports = imported_packages(ROOT / "shared" / "stalker_shared")
    for package in ("stalker_catalog", "stalker_versions", "stalker_scheduler", "stalker_host"):
        assert package not in imports, imports.get(package)


def test_the_rule_would_catch_a_violation(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("from stalker_versions.db import models\n")
    assert imported_packages(tmp_path, root=tmp_path) == {"stalker_versions": {"bad.py"}}
