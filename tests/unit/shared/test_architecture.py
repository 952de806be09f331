"""The services (the web app among them) never import each other; only shared/ crosses a boundary. The host
composes them.

Inside each package, modules import each other without a cycle, and the catalog's and the versions
service's layers point one way: domain/ imports no db/, service/ or api/; db/ no service/ or api/;
service/ no api/. Every import counts, in a function or under TYPE_CHECKING too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support.imports import cycle, module_graph

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("catalog", "versions", "scheduler", "events", "web")


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
    for package in (
        "stalker_catalog",
        "stalker_versions",
        "stalker_scheduler",
        "stalker_events",
        "stalker_web",
        "stalker_host",
    ):
        assert package not in imports, imports.get(package)


def test_the_web_app_reaches_the_services_only_over_http() -> None:
    """It holds no database and no broker: it neither imports one nor the services' clients."""
    imports = imported_packages(ROOT / "services" / "web" / "stalker_web")
    for package in ("sqlalchemy", "aio_pika", "asyncpg", "aiosqlite", "stalker_client"):
        assert package not in imports, imports.get(package)


def test_the_rule_would_catch_a_violation(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("from stalker_versions.db import models\n")
    assert imported_packages(tmp_path, root=tmp_path) == {"stalker_versions": {"bad.py"}}


PACKAGES = {
    "stalker_catalog": ROOT / "services" / "catalog" / "stalker_catalog",
    "stalker_versions": ROOT / "services" / "versions" / "stalker_versions",
    "stalker_scheduler": ROOT / "services" / "scheduler" / "stalker_scheduler",
    "stalker_shared": ROOT / "shared" / "stalker_shared",
    "stalker_host": ROOT / "services" / "host" / "stalker_host",
    "stalker_web": ROOT / "services" / "web" / "stalker_web",
    "stalker_events": ROOT / "services" / "events" / "stalker_events",
}
LAYERED = ("stalker_catalog", "stalker_versions", "stalker_events")
# layer -> the layers it may not import
FORBIDDEN = {"domain": {"db", "service", "api"}, "db": {"service", "api"}, "service": {"api"}}


def layer_violations(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a layer imports one it may not (FORBIDDEN)."""

    def layer(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else None

    return sorted(
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if layer(target) in FORBIDDEN.get(layer(module) or "", set())
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_has_no_import_cycle(package: str) -> None:
    graph = module_graph(PACKAGES[package])

    assert f"{package}.settings" in graph or f"{package}.cli" in graph  # the walk found the package
    assert cycle(graph) is None


@pytest.mark.parametrize("package", LAYERED)
def test_the_layers_point_one_way(package: str) -> None:
    graph = module_graph(PACKAGES[package])

    assert any(module.startswith(f"{package}.domain.") for module in graph)
    assert layer_violations(graph) == []


def test_the_checks_would_catch_a_hidden_cycle_and_a_layer_violation(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    for layer in ("domain", "db", "service", "api"):
        (package / layer).mkdir(parents=True)
        (package / layer / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    # A cycle through an import under TYPE_CHECKING and a relative import in a function.
    (package / "domain" / "plan.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.domain.place import Place\n"
    )
    (package / "domain" / "place.py").write_text("def run():\n    from . import plan\n")
    (package / "db" / "queries.py").write_text("from ..service import handlers\n")
    (package / "service" / "handlers.py").write_text("import pkg.domain.plan\n")

    graph = module_graph(package)

    assert graph["pkg.domain.plan"] == {"pkg.domain.place"} and graph["pkg.domain.place"] == {
        "pkg.domain.plan"
    }
    found = cycle(graph)
    assert found is not None and set(found) == {"pkg.domain.plan", "pkg.domain.place"}
    assert layer_violations(graph) == [("pkg.db.queries", "pkg.service.handlers")]
