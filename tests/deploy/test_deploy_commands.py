"""Every command a Dockerfile, the compose file or a Kubernetes manifest runs exists: the image's
entrypoint is a console script of its package ([project.scripts]), and the command and options given to
it are commands and options of that script's typer app (`stalker-catalog worker`, `api --port`...).
Commands that bypass the entrypoint must name a file the image really contains."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import pytest

from support import kustomize_lite
from support.deployment import (
    OVERLAYS,
    ROOT,
    SERVICES,
    built,
    check_invocation,
    console_scripts,
    dockerfile,
    image_service,
    load_compose,
    workloads,
)


def _entrypoint(svc: str) -> str:
    """The console script the image runs (behind an init, `tini --`, where the image has one)."""
    form = dockerfile(svc).exec_form("ENTRYPOINT")
    (script,) = form[2:] if form[:2] == ["tini", "--"] else form
    return script


def _files_in_image(svc: str) -> set[str]:
    """Paths the final stage COPYs from the build context (directories expanded)."""
    files = set()
    for args in dockerfile(svc).final.all("COPY"):
        if args.startswith("--from"):
            continue
        source, destination = args.split()[-2:]
        path = ROOT / source
        for file in [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]:
            relative = file.relative_to(path) if path.is_dir() else PurePosixPath(file.name)
            files.add(str(PurePosixPath(destination) / relative))
    return files


def invocation_problems(svc: str, entrypoint: list[str] | None, args: list[str]) -> list[str]:
    """Problems of running the image of `svc` with an optional entrypoint override and its arguments."""
    if entrypoint:
        if entrypoint[0] != "python" or len(entrypoint) < 2:
            return [f"stalker-{svc}: unexpected entrypoint override {entrypoint}"]
        if entrypoint[1] not in _files_in_image(svc):
            return [f"stalker-{svc}: {entrypoint[1]} is not in the image"]
        return []
    return check_invocation(_entrypoint(svc), args)


@pytest.mark.parametrize("svc", SERVICES)
def test_each_image_entrypoint_is_its_package_console_script(svc: str) -> None:
    script = _entrypoint(svc)
    assert script == f"stalker-{svc}"
    assert {"api", "worker", "migrate"} <= set(console_scripts()[script])
    assert check_invocation(script, dockerfile(svc).exec_form("CMD")) == []


def test_the_web_image_runs_its_one_command_serving_on_every_interface() -> None:
    assert _entrypoint("web") == "stalker-web"
    command = dockerfile("web").exec_form("CMD")
    assert check_invocation("stalker-web", command) == []
    assert command[command.index("--host") + 1] == "0.0.0.0"


def test_every_compose_command_exists() -> None:
    checked = 0
    for name, service in load_compose()["services"].items():
        svc = image_service(re.sub(r"\$\{[^}]*\}", "0", str(service.get("image", ""))))
        if svc is None:
            continue
        entrypoint: Any = service.get("entrypoint")
        problems = invocation_problems(svc, entrypoint, list(service.get("command") or []))
        assert problems == [], name
        checked += 1
    assert checked == 14  # four services x (migrate, api, worker) + the broker provisioner + the web app


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_manifest_command_exists(overlay: str) -> None:
    checked = 0
    for obj in workloads(built(overlay)):
        spec = kustomize_lite.pod_spec(obj)
        assert spec is not None
        for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
            svc = image_service(container["image"])
            if svc is None:
                continue
            problems = invocation_problems(svc, container.get("command"), list(container.get("args", [])))
            assert problems == [], obj["metadata"]["name"]
            checked += 1
    assert checked == 14


@pytest.mark.parametrize(
    ("svc", "entrypoint", "args", "expected"),
    [
        ("catalog", None, ["serve"], "`stalker-catalog serve` does not exist"),
        ("versions", None, ["api", "--listen", "0.0.0.0"], "has no option --listen"),
        ("scheduler", None, [], "run without a command"),
        ("scheduler", ["python", "/opt/stalker/rabbitmq/provision.py"], [], "is not in the image"),
        ("catalog", ["sh", "-c", "stalker-catalog api"], [], "unexpected entrypoint override"),
        ("web", None, ["run", "--port", "8000"], "run would be an unexpected argument"),
        ("web", None, ["--listen", "0.0.0.0"], "has no option --listen"),
    ],
)
def test_a_command_that_does_not_exist_is_caught(
    svc: str, entrypoint: list[str] | None, args: list[str], expected: str
) -> None:
    problems = invocation_problems(svc, entrypoint, args)
    assert any(expected in problem for problem in problems), problems
