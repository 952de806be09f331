"""The service images, read from deploy/docker/Dockerfile.* (nothing is built here: no Docker engine):
multi-stage, one pinned base, wheels from the lock in a builder stage, non-root, no compiler in the final
stage, tj3 in the scheduler's; the build context keeps out what must not ship; and every third-party
module a service imports is installed by its package's declared dependencies."""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from support.deployment import IMAGES, ROOT, SERVICES, Dockerfile, dockerfile, parse_dockerfile

BUILD_TOOLS = re.compile(r"\b(build-essential|gcc|g\+\+|clang|make|cmake|[a-z0-9.+-]+-dev)\b")
PINNED_BASE = re.compile(r"^python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}$")


@pytest.mark.parametrize("svc", IMAGES)
def test_multi_stage_on_one_pinned_slim_python_base(svc: str) -> None:
    image = dockerfile(svc)
    assert len(image.stages) >= 2, "a builder stage and a runtime stage"
    bases = {stage.base for stage in image.stages}
    assert len(bases) == 1, f"builder and runtime share one base: {bases}"
    (base,) = bases
    assert PINNED_BASE.match(base), f"{base} is not python:3.11.x-slim-bookworm pinned by digest"
    # The same base in every service's image.
    assert {dockerfile(other).stages[0].base for other in IMAGES} == {base}


@pytest.mark.parametrize("svc", IMAGES)
def test_wheels_come_from_the_lock_in_the_builder_and_only_the_venv_reaches_the_final_image(svc: str) -> None:
    image = dockerfile(svc)
    builder, final = image.stages[0], image.final
    build_steps = " ".join(builder.all("RUN"))
    assert "pip wheel" in build_steps and "--constraint requirements.lock" in build_steps
    assert f"./shared ./services/{svc}" in build_steps
    assert f"install --no-index --find-links /wheels stalker-{svc}" in build_steps
    copies = final.all("COPY")
    assert f"--from={builder.name} /opt/venv /opt/venv" in copies
    assert not [c for c in copies if c.startswith("--from") and "/opt/venv" not in c]
    assert "pip" not in " ".join(final.all("RUN")), "the final stage installs nothing with pip"


@pytest.mark.parametrize("svc", IMAGES)
def test_the_final_stage_runs_as_a_numeric_non_root_user_without_build_tools(svc: str) -> None:
    final = dockerfile(svc).final
    users = final.all("USER")
    assert users and re.fullmatch(r"[1-9]\d{3,}:[1-9]\d{3,}", users[-1]), users
    # Kubernetes checks runAsNonRoot against a numeric uid; manifests use the same one.
    assert users[-1].startswith("10001")
    for step in final.all("RUN"):
        installs = re.findall(r"apt-get install ([^&]*)", step)
        for packages in installs:
            assert not BUILD_TOOLS.search(packages), f"build tool in the final image: {packages}"


def test_only_the_scheduler_image_carries_tj3_from_debian_pinned() -> None:
    for svc in IMAGES:
        final_steps = " ".join(dockerfile(svc).final.all("RUN"))
        if svc == "scheduler":
            assert re.search(r"apt-get install -y --no-install-recommends tj3=\S+", final_steps)
            assert "rm -rf /var/lib/apt/lists/*" in final_steps
        else:
            assert "tj3" not in final_steps


@pytest.mark.parametrize("svc", SERVICES)
def test_the_entrypoint_is_the_service_console_script_and_the_default_command_is_the_api(svc: str) -> None:
    image = dockerfile(svc)
    # The scheduler's worker forks tj3 runs: tini, as PID 1, reaps any it orphans and passes signals on.
    init = ["tini", "--"] if svc == "scheduler" else []
    assert image.exec_form("ENTRYPOINT") == [*init, f"stalker-{svc}"]
    assert image.exec_form("CMD")[0] == "api"


def test_the_web_wheel_carries_every_template_and_static_file() -> None:
    # The image installs the stalker-web wheel, not the source tree: a page or script left out of the
    # package-data globs would be missing in the container only.
    package = ROOT / "services/web/stalker_web"
    patterns = tomllib.loads((ROOT / "services/web/pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["stalker_web"]
    packaged = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    assets = {
        path for folder in ("templates", "static") for path in (package / folder).rglob("*") if path.is_file()
    }
    assert any(path.suffix == ".html" for path in assets) and any(path.suffix == ".js" for path in assets)
    assert assets - packaged == set(), "add these to [tool.setuptools.package-data] of services/web"


def _dockerignore() -> list[tuple[bool, str]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!").rstrip("/")))
    return rules


def ignored(path: str, rules: list[tuple[bool, str]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for negated, pattern in rules:
        patterns = [pattern, pattern[3:]] if pattern.startswith("**/") else [pattern]
        if any(fnmatch.fnmatchcase(c, p) for c in candidates for p in patterns):
            verdict = not negated
    return verdict


def test_the_build_context_keeps_out_the_venv_git_local_data_and_secrets() -> None:
    rules = _dockerignore()
    for path in (".venv/bin/python", ".git/HEAD", "data/catalog.db", ".env", "tests/conftest.py"):
        assert ignored(path, rules), path
    for path in (
        "services/catalog/stalker_catalog.egg-info/PKG-INFO",
        "shared/stalker_shared/__pycache__/x.pyc",
    ):
        assert ignored(path, rules), path


def _copied_sources(image: Dockerfile) -> list[str]:
    sources = []
    for stage in image.stages:
        for args in stage.all("COPY"):
            words = [w for w in args.split() if not w.startswith("--")]
            if not args.startswith("--from"):
                sources.extend(words[:-1])
    return sources


@pytest.mark.parametrize("svc", IMAGES)
def test_everything_a_dockerfile_copies_exists_and_is_in_the_build_context(svc: str) -> None:
    rules = _dockerignore()
    for source in _copied_sources(dockerfile(svc)):
        path = ROOT / source
        assert path.exists(), source
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        shipped = [f for f in files if not ignored(str(f.relative_to(ROOT)), rules)]
        assert shipped, f"{source} is entirely excluded by .dockerignore"
        if path.is_dir() and (path / "pyproject.toml").exists():
            assert (path / "pyproject.toml") in shipped


def test_the_dockerfile_parser_sees_a_broken_dockerfile(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:latest\nRUN apt-get install -y gcc\nENTRYPOINT stalker-catalog\n")
    image = parse_dockerfile(broken)
    assert len(image.stages) == 1 and not PINNED_BASE.match(image.final.base)
    assert BUILD_TOOLS.search(image.final.all("RUN")[0])
    assert not image.final.all("USER")
    with pytest.raises(ValueError):
        image.exec_form("ENTRYPOINT")  # shell form: signals would go to a shell, not to the service


# --- what each image installs covers what its code imports --------------------------------------------

# Undeclared dependencies tolerated per service (none: every image declares what it imports).
KNOWN_UNDECLARED: dict[str, set[str]] = {
    "catalog": set(),
    "versions": set(),
    "scheduler": set(),
    "events": set(),
    "web": set(),
}
# Needed at run time without an import of its own: FastAPI parses forms with python-multipart.
IMPLIED = {re.compile(r"OAuth2PasswordRequestForm|\bForm\("): "python-multipart"}


def _declared(pyproject: Path) -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text())["project"]
    return [Requirement(r) for r in project.get("dependencies", [])]


def _closure(requirements: list[Requirement]) -> set[str]:
    """Declared distributions and everything they require, extras included (installed metadata)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in requirements]
    while todo:
        name, extras = todo.pop()
        if name.startswith("stalker-") or (name, extras) in seen:
            continue
        seen.add((name, extras))
        for spec in importlib.metadata.requires(name) or []:
            requirement = Requirement(spec)
            environments = [{"extra": extra} for extra in ("", *extras)]
            if requirement.marker is None or any(requirement.marker.evaluate(e) for e in environments):
                todo.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return {name for name, _ in seen}


def _imported_distributions(package_dir: Path) -> set[str]:
    mapping = importlib.metadata.packages_distributions()
    found: set[str] = set()
    for source in package_dir.rglob("*.py"):
        if "migrations/versions" in str(source):
            continue
        text = source.read_text()
        for node in ast.walk(ast.parse(text)):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top.startswith("stalker_"):
                    continue
                found.update(canonicalize_name(d) for d in mapping.get(top, [top]))
        for pattern, distribution in IMPLIED.items():
            if pattern.search(text):
                found.add(distribution)
    return found


@pytest.mark.parametrize("svc", IMAGES)
def test_every_third_party_import_is_installed_by_declared_dependencies(svc: str) -> None:
    shared = _declared(ROOT / "shared/pyproject.toml")
    service = _declared(ROOT / f"services/{svc}/pyproject.toml")
    installed = _closure(shared + service)
    imported = _imported_distributions(ROOT / "shared/stalker_shared")
    imported |= _imported_distributions(ROOT / f"services/{svc}/stalker_{svc}")
    missing = imported - installed
    known = KNOWN_UNDECLARED[svc]
    assert missing - known == set(), (
        f"stalker-{svc}'s image would lack {sorted(missing - known)}: declare them in its pyproject.toml "
        "(pinned, and in requirements.lock)"
    )
