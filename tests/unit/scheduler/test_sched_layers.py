"""stalker_scheduler's modules import each other without a cycle, and its layers point one way: tjp/ (pure
rendering and parsing) imports no other part of the scheduler; engine/ (the processes that run tj3) no
service/, api/, db/ or definition. Every import counts, in a function or under TYPE_CHECKING too."""

from __future__ import annotations

from pathlib import Path

from support.imports import cycle, module_graph

ROOT = Path(__file__).resolve().parents[3]
SCHEDULER = ROOT / "services" / "scheduler" / "stalker_scheduler"


def test_the_scheduler_has_no_import_cycle() -> None:
    graph = module_graph(SCHEDULER)

    assert "stalker_scheduler.engine.warm_driver" in graph  # the walk found the package
    assert cycle(graph) is None


def test_the_layers_point_one_way() -> None:
    graph = module_graph(SCHEDULER)

    def imports_of(layer: str) -> set[str]:
        prefix = f"stalker_scheduler.{layer}"
        return {
            target
            for module, targets in graph.items()
            if module == prefix or module.startswith(f"{prefix}.")
            for target in targets
        }

    assert {target for target in imports_of("tjp") if not target.startswith("stalker_scheduler.tjp")} == set()
    assert {
        target
        for target in imports_of("engine")
        if target.split(".")[1] in ("service", "api", "db", "definition", "cli")
    } == set()


def test_the_check_would_catch_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    # The cycle runner.py and warm.py had: one import at the top, the other under TYPE_CHECKING.
    (package / "runner.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub.warm import Warm\n"
    )
    (package / "sub" / "warm.py").write_text("def run():\n    from .. import runner\n")
    (package / "leaf.py").write_text("import pkg.sub.warm\n")

    graph = module_graph(package)

    assert graph["pkg.runner"] == {"pkg.sub.warm"} and graph["pkg.sub.warm"] == {"pkg.runner"}
    assert graph["pkg.leaf"] == {"pkg.sub.warm"}
    found = cycle(graph)
    assert found is not None and set(found) == {"pkg.runner", "pkg.sub.warm"}
