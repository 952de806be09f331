"""What the deployment checks read: the compose file, the Dockerfiles, the built Kubernetes overlays and
the commands each package's console script really offers."""

from __future__ import annotations

import functools
import importlib
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer.main
import yaml

from support import kustomize_lite

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("catalog", "versions", "scheduler", "events")
# Every image we build: the services, and the web app (pages only: no database, broker or worker).
IMAGES = (*SERVICES, "web")
K8S = ROOT / "deploy/k8s"
OVERLAYS = ("dev", "prod")


def load_compose(path: Path = ROOT / "docker-compose.yml") -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


# --- Dockerfiles -------------------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


@dataclass
class Dockerfile:
    path: Path
    args: dict[str, str]
    stages: list[Stage]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def exec_form(self, keyword: str) -> list[str]:
        """The final stage's ENTRYPOINT or CMD, which must be in exec (JSON) form."""
        import json

        values = self.final.all(keyword)
        assert values, f"{self.path.name}: no {keyword}"
        parsed = json.loads(values[-1])
        assert isinstance(parsed, list)
        return [str(item) for item in parsed]


def parse_dockerfile(path: Path) -> Dockerfile:
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = [line.strip() for line in text.splitlines()]
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            base, _, alias = re.sub(r"\s+AS\s+", " AS ", rest, flags=re.IGNORECASE).partition(" AS ")
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), base.strip())
            stages.append(Stage(base, alias.strip() or None))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return Dockerfile(path, args, stages)


def dockerfile(service: str) -> Dockerfile:
    return parse_dockerfile(ROOT / f"deploy/docker/Dockerfile.{service}")


def image_service(image: str) -> str | None:
    """The service (or web app) whose image this is (stalker-<name>, under any registry), or None."""
    name, _, _ = kustomize_lite.split_image(image)
    match = re.fullmatch(r"(?:.*/)?stalker-(\w+)", name)
    return match.group(1) if match and match.group(1) in IMAGES else None


# --- console scripts and their commands ---------------------------------------------------------------


@functools.cache
def console_scripts() -> dict[str, dict[str, set[str]]]:
    """{script: {command: option strings}} for every [project.scripts] entry of our packages."""
    scripts: dict[str, dict[str, set[str]]] = {}
    for pyproject in [ROOT / "shared/pyproject.toml", *sorted(ROOT.glob("services/*/pyproject.toml"))]:
        project = tomllib.loads(pyproject.read_text())["project"]
        for script, target in project.get("scripts", {}).items():
            module_name, _, function = target.partition(":")
            module = importlib.import_module(module_name)
            assert callable(getattr(module, function)), f"{script}: {target} is not callable"
            # typer builds a click-style group (its own vendored click): read its subcommands and options.
            # An app of one command is that command itself, recorded under "" (options follow the script).
            command = typer.main.get_command(module.app)
            commands = getattr(command, "commands", None) or {"": command}
            scripts[script] = {
                name: {opt for param in sub.params for opt in getattr(param, "opts", [])}
                for name, sub in commands.items()
            }
    return scripts


def check_invocation(script: str, argv: list[str]) -> list[str]:
    """Problems running `script *argv`: an unknown script, command or option."""
    commands = console_scripts().get(script)
    if commands is None:
        return [f"{script} is no console script of our packages"]
    if set(commands) == {""}:
        if argv and not argv[0].startswith("--"):
            return [f"{script} has no commands: {argv[0]} would be an unexpected argument"]
        argv = ["", *argv]
    if not argv:
        return [f"{script} run without a command (one of {sorted(commands)})"]
    options = commands.get(argv[0])
    if options is None:
        return [f"`{script} {argv[0]}` does not exist (commands: {sorted(commands)})"]
    unknown = [
        arg.split("=")[0] for arg in argv[1:] if arg.startswith("--") and arg.split("=")[0] not in options
    ]
    return [f"`{script} {argv[0]}` has no option {opt}" for opt in unknown]


# --- Kubernetes -----------------------------------------------------------------------------------------


def kubectl() -> str | None:
    return shutil.which("kubectl")


def kubectl_build(directory: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [str(kubectl()), "kustomize", str(directory)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


@functools.cache
def _built(overlay: str) -> tuple[str, list[dict[str, Any]]]:
    directory = K8S / "overlays" / overlay
    if kubectl():
        return "kubectl kustomize", kubectl_build(directory)
    return "kustomize_lite", kustomize_lite.build(directory)


def built(overlay: str) -> list[dict[str, Any]]:
    """The overlay's objects, built by kubectl's kustomize where present, else by kustomize_lite."""
    import copy

    return copy.deepcopy(_built(overlay)[1])


def builder(overlay: str) -> str:
    return _built(overlay)[0]


def workloads(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet")]


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]
