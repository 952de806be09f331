"""docker-compose.yml, checked statically (no Docker engine here): healthchecks, depends_on conditions,
pinned images, required secrets, named volumes, shutdown grace; and its environment satisfies each
service's production settings. Each rule is also shown to catch a broken copy of the file."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic_settings import BaseSettings

from stalker_catalog.settings import CatalogSettings
from stalker_events.settings import EventsSettings
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.auth import generate_private_pem, public_pem_of
from stalker_versions.settings import VersionsSettings
from stalker_web.settings import WebSettings

from support.deployment import ROOT, SERVICES, image_service, load_compose
from support.kustomize_lite import split_image

SETTINGS: dict[str, type[BaseSettings]] = {
    "catalog": CatalogSettings,
    "versions": VersionsSettings,
    "scheduler": SchedulerSettings,
    "events": EventsSettings,
}
# Settings the deployment passes that a service does not read yet (the field is being added in its
# package); pydantic-settings ignores unknown variables, so passing them early is harmless.
PENDING_FIELDS = {("versions", "catalog_url")}

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY|PUBLIC_KEY|DATABASE_URL|BROKER_URL|_PASS$")
FULL_VERSION = re.compile(r"^\d+\.\d+\.\d+")
# PostgreSQL numbers its releases major.minor since version 10: that is its full version.
TWO_PART_VERSIONS = {"postgres"}
FULL_TWO_PART_VERSION = re.compile(r"^\d+\.\d+(?![.\d])")
Compose = dict[str, Any]


def _default(text: str) -> str:
    """The value with every ${VAR:-default} replaced by its default (to read a tag)."""
    return VARIABLE.sub(lambda m: m.group(3) or "" if m.group(2) == ":-" else m.group(0), text)


def _one_shot(service: Compose) -> bool:
    return service.get("restart") == "no"


def _duration(text: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text)))


# Read by uvicorn itself (whose client address to trust), not by a settings class.
SERVER_VARIABLES = frozenset({"FORWARDED_ALLOW_IPS"})


def _environment(service: Compose) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def image_problems(name: str, service: Compose) -> list[str]:
    image = service.get("image")
    if not image:
        return [f"{name}: no image (our images need a name and tag too, next to `build`)"]
    reference = _default(str(image))
    digest = reference.partition("@")[2]
    repository, tag, _ = split_image(reference)
    tag = tag or ""
    if not tag or tag == "latest":
        return [f"{name}: image {image} is untagged or `latest`"]
    if image_service(reference):
        build = service.get("build") or {}
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        if not build or not dockerfile.is_file():
            return [f"{name}: our image {image} has no build with an existing Dockerfile"]
    elif not (
        FULL_VERSION.match(tag) or (repository in TWO_PART_VERSIONS and FULL_TWO_PART_VERSION.match(tag))
    ):
        return [f"{name}: third-party image {image} is not pinned to a full version"]
    elif digest and not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        return [f"{name}: image {image} has a malformed digest"]
    return []


def healthcheck_problems(name: str, service: Compose) -> list[str]:
    check = service.get("healthcheck")
    if not check:
        return [f"{name}: no healthcheck"]
    if check.get("disable"):
        return [] if _one_shot(service) else [f"{name}: healthcheck disabled on a long-running service"]
    return [] if check.get("test") else [f"{name}: healthcheck has no test"]


def depends_on_problems(name: str, service: Compose, services: dict[str, Compose]) -> list[str]:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return [f"{name}: depends_on without conditions ({depends})"]
    problems = []
    for target, rule in depends.items():
        if target not in services:
            problems.append(f"{name}: depends on unknown service {target}")
            continue
        expected = "service_completed_successfully" if _one_shot(services[target]) else "service_healthy"
        condition = (rule or {}).get("condition")
        if condition != expected:
            problems.append(f"{name}: depends on {target} with condition {condition}, expected {expected}")
    return problems


def volume_problems(name: str, service: Compose, declared: set[str]) -> list[str]:
    problems = []
    for volume in service.get("volumes") or []:
        source, _, rest = str(volume).partition(":")
        if source.startswith((".", "/")):
            if not rest.endswith(":ro"):
                problems.append(f"{name}: bind mount {volume} is not read-only")
            elif not (ROOT / source).exists():
                problems.append(f"{name}: bind mount source {source} does not exist")
        elif source not in declared:
            problems.append(f"{name}: volume {source} is not a declared named volume")
    return problems


def variable_problems(text: str) -> list[str]:
    problems = []
    for match in VARIABLE.finditer(text):
        variable = match.group(1) or match.group(4)
        operator = match.group(2)
        if operator is None:
            problems.append(f"${variable} has neither a required marker (:?) nor a default (:-)")
        elif SECRET_NAME.search(variable) and operator != ":?":
            problems.append(f"secret ${variable} must be required (${{{variable}:?...}}), not defaulted")
        elif operator == ":?" and not match.group(3):
            problems.append(f"${variable} is required without saying what to set")
    return problems


def secret_value_problems(name: str, service: Compose) -> list[str]:
    return [
        f"{name}: {key} is not taken from a required variable"
        for key, value in _environment(service).items()
        if SECRET_NAME.search(key) and not key.endswith("_USER") and ":?" not in value
    ]


def stalker_problems(name: str, service: Compose, services: dict[str, Compose]) -> list[str]:
    """Our API and worker containers: after their migration and the broker users, with enough grace."""
    svc = image_service(_default(str(service.get("image", ""))))
    command = service.get("command") or []
    if svc is None or not command or command[0] not in ("api", "worker"):
        return []
    problems = []
    depends = service.get("depends_on") or {}
    for one_shot in (f"{svc}-migrate", "rabbitmq-provision"):
        if one_shot not in depends:
            problems.append(f"{name}: does not wait for {one_shot}")
    if command[0] == "worker":
        grace = float(_environment(service).get(f"STALKER_{svc.upper()}_SHUTDOWN_GRACE_SECONDS", 20))
        stop = _duration(service.get("stop_grace_period", "10s"))
        if stop <= 2 * grace:
            problems.append(
                f"{name}: stop_grace_period {stop}s is not above twice the shutdown grace {grace}s"
            )
        if service.get("container_name") or service.get("ports"):
            problems.append(f"{name}: a fixed name or published port stops `--scale`")
    return problems


def hardening_problems(name: str, service: Compose) -> list[str]:
    """Every container of our images, as in Kubernetes: read-only root, a sized /tmp, no capabilities."""
    if image_service(_default(str(service.get("image", "")))) is None:
        return []
    problems = []
    if service.get("read_only") is not True:
        problems.append(f"{name}: root filesystem not read-only")
    if not any(str(mount).startswith("/tmp:size=") for mount in service.get("tmpfs") or []):  # noqa: S108 (a mount spec)
        problems.append(f"{name}: no sized tmpfs on /tmp")
    if service.get("cap_drop") != ["ALL"]:
        problems.append(f"{name}: capabilities not all dropped")
    if "no-new-privileges:true" not in (service.get("security_opt") or []):
        problems.append(f"{name}: may gain privileges")
    return problems


def compose_problems(compose: Compose, text: str) -> list[str]:
    services: dict[str, Compose] = compose["services"]
    declared = set(compose.get("volumes") or {})
    problems = variable_problems(text)
    for name, service in services.items():
        problems += image_problems(name, service)
        problems += healthcheck_problems(name, service)
        problems += depends_on_problems(name, service, services)
        problems += volume_problems(name, service, declared)
        problems += secret_value_problems(name, service)
        problems += stalker_problems(name, service, services)
        problems += hardening_problems(name, service)
    for state in ("postgres", "rabbitmq"):
        mounts = [str(v).split(":")[0] for v in services.get(state, {}).get("volumes", [])]
        if not any(m in declared for m in mounts):
            problems.append(f"{state}: its data is not on a named volume")
    return problems


def test_the_compose_file_follows_the_rules() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert compose_problems(load_compose(), text) == []


def test_every_service_runs_api_worker_and_a_one_shot_migration_behind_one_gateway() -> None:
    services = load_compose()["services"]
    for svc in SERVICES:
        assert services[f"{svc}-migrate"]["command"] == ["migrate"]
        assert services[f"{svc}-api"]["command"][0] == "api"
        assert services[f"{svc}-worker"]["command"] == ["worker"]
        assert services[f"{svc}-migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    gateway = services["gateway"]
    assert {f"{svc}-api" for svc in SERVICES} <= set(gateway["depends_on"])
    conf = (ROOT / "deploy/gateway/nginx.conf").read_text()
    for svc in SERVICES:
        # Routed by prefix, path forwarded unchanged (proxy_pass without a URI part).
        assert re.search(
            rf"location /{svc}/ \{{\s*set \${svc} http://{svc}-api:8000;\s*proxy_pass \${svc};", conf
        )


def test_the_web_app_runs_behind_the_gateway_which_sends_browsers_at_the_base_url_to_it() -> None:
    services = load_compose()["services"]
    web = services["web"]
    assert services["gateway"]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "/web/healthz" in " ".join(web["healthcheck"]["test"])
    assert web["command"][web["command"].index("--host") + 1] == "0.0.0.0"
    # It calls the services back through the gateway, so it must not wait for the gateway itself.
    assert "gateway" not in (web.get("depends_on") or {})
    assert _environment(web)["STALKER_WEB_API_URL"] == "http://gateway:8081"
    conf = (ROOT / "deploy/gateway/nginx.conf").read_text()
    assert re.search(r"location /web/ \{\s*set \$web http://web:8000;\s*proxy_pass \$web;", conf)
    assert re.search(r'map \$http_accept \$wants_page \{[^}]*"~text/html"\s+1;', conf)
    assert re.search(r"location = / \{\s*if \(\$wants_page\) \{\s*return 303 /web/;", conf)


def test_the_compose_environment_satisfies_the_web_apps_production_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {**_studio_env(), "STALKER_WEB_SESSION_KEY": Fernet.generate_key().decode()}
    service_env = {
        key: _interpolate(value, env)
        for key, value in _environment(load_compose()["services"]["web"]).items()
    }
    fields = {"STALKER_WEB_" + f.upper() for f in WebSettings.model_fields} | SERVER_VARIABLES
    assert set(service_env) <= fields, (
        f"web sets variables no setting reads: {sorted(set(service_env) - fields)}"
    )
    for key in [k for k in os.environ if k.startswith("STALKER_")]:
        monkeypatch.delenv(key)
    for key, value in service_env.items():
        monkeypatch.setenv(key, value)
    settings = WebSettings()
    assert settings.environment == "production" and settings.session_key is not None
    assert settings.cookie_secure is False  # the default gateway is plain HTTP on this machine


Mutation = Callable[[Compose], None]
BREAKAGES: dict[str, tuple[Mutation, str]] = {
    "writable root filesystem": (
        lambda c: c["services"]["events-worker"].pop("read_only"),
        "events-worker: root filesystem not read-only",
    ),
    "unsized tmpfs": (
        lambda c: c["services"]["scheduler-worker"].update(tmpfs=["/tmp"]),  # noqa: S108
        "scheduler-worker: no sized tmpfs on /tmp",
    ),
    "capabilities kept": (
        lambda c: c["services"]["web"].pop("cap_drop"),
        "web: capabilities not all dropped",
    ),
    "healthcheck removed": (
        lambda c: c["services"]["catalog-api"].pop("healthcheck"),
        "catalog-api: no healthcheck",
    ),
    "healthcheck disabled on an API": (
        lambda c: c["services"]["versions-api"].update(healthcheck={"disable": True}),
        "versions-api: healthcheck disabled",
    ),
    "latest tag": (
        lambda c: c["services"]["gateway"].update(image="nginx:latest"),
        "gateway: image nginx:latest",
    ),
    "untagged image": (
        lambda c: c["services"]["postgres"].update(image="postgres"),
        "postgres: image postgres",
    ),
    "floating major tag": (
        lambda c: c["services"]["postgres"].update(image="postgres:15-alpine"),
        "not pinned to a full version",
    ),
    "depends_on without conditions": (
        lambda c: c["services"]["catalog-api"].update(depends_on=["catalog-migrate"]),
        "catalog-api: depends_on without conditions",
    ),
    "migration awaited as healthy": (
        lambda c: c["services"]["scheduler-worker"]["depends_on"].update(
            {"scheduler-migrate": {"condition": "service_healthy"}}
        ),
        "expected service_completed_successfully",
    ),
    "worker not waiting for its migration": (
        lambda c: c["services"]["versions-worker"]["depends_on"].pop("versions-migrate"),
        "versions-worker: does not wait for versions-migrate",
    ),
    "secret with a default": (
        lambda c: c["services"]["postgres"]["environment"].update(POSTGRES_PASSWORD="postgres"),
        "postgres: POSTGRES_PASSWORD is not taken from a required variable",
    ),
    "writable bind mount": (
        lambda c: c["services"]["gateway"].update(
            volumes=["./deploy/gateway/nginx.conf:/etc/nginx/conf.d/x.conf"]
        ),
        "gateway: bind mount",
    ),
    "anonymous data directory": (
        lambda c: c["services"]["postgres"].update(volumes=["pgdata:/var/lib/postgresql/data"]),
        "volume pgdata is not a declared named volume",
    ),
    "worker killed before its grace": (
        lambda c: c["services"]["scheduler-worker"].update(stop_grace_period="60s"),
        "scheduler-worker: stop_grace_period",
    ),
    "worker pinned to one container": (
        lambda c: c["services"]["scheduler-worker"].update(container_name="scheduler-worker"),
        "stops `--scale`",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_compose_file_fails_the_check(breakage: str) -> None:
    compose = copy.deepcopy(load_compose())
    mutate, expected = BREAKAGES[breakage]
    mutate(compose)
    problems = compose_problems(compose, (ROOT / "docker-compose.yml").read_text())
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x: ${POSTGRES_PASSWORD}", "neither a required marker"),
        ("x: $RABBITMQ_ADMIN_PASSWORD", "neither a required marker"),
        ("x: ${STALKER_ADMIN_PASSWORD:-admin}", "must be required"),
        ("x: ${STALKER_JWT_PUBLIC_KEY:?}", "without saying what to set"),
    ],
)
def test_unmarked_or_defaulted_secrets_fail_the_check(text: str, expected: str) -> None:
    assert any(expected in problem for problem in variable_problems(text))


def _interpolate(text: str, env: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        variable = match.group(1) or match.group(4)
        if variable in env:
            return env[variable]
        if match.group(2) == ":-":
            return match.group(3) or ""
        raise KeyError(f"{variable} required: {match.group(3)}")

    return VARIABLE.sub(value, text)


def _studio_env() -> dict[str, str]:
    """What a studio's .env provides: every required variable of the compose file, real-looking."""
    text = (ROOT / "docker-compose.yml").read_text()
    required = {m.group(1) for m in VARIABLE.finditer(text) if m.group(2) == ":?"}
    private = generate_private_pem()
    env = {name: f"s3cret-{name.lower()}" for name in required}
    env.update(STALKER_JWT_PRIVATE_KEY=private, STALKER_JWT_PUBLIC_KEY=public_pem_of(private))
    return env


def test_the_studio_env_example_names_every_required_variable() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    required = {m.group(1) for m in VARIABLE.finditer(text) if m.group(2) == ":?"}
    example = (ROOT / "deploy/compose.env.example").read_text()
    listed = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert required <= listed, f"missing from deploy/compose.env.example: {sorted(required - listed)}"


@pytest.mark.parametrize("svc", SERVICES)
def test_the_compose_environment_satisfies_production_settings(
    svc: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _studio_env()
    with pytest.raises(KeyError, match="required"):
        _interpolate((ROOT / "docker-compose.yml").read_text(), {})  # nothing starts without .env
    compose = load_compose()
    for role in ("api", "worker", "migrate"):
        service_env = {
            key: _interpolate(value, env)
            for key, value in _environment(compose["services"][f"{svc}-{role}"]).items()
        }
        prefix = f"STALKER_{svc.upper()}_"
        settings_class = SETTINGS[svc]
        fields = set(settings_class.model_fields)
        unknown = (
            {key for key in service_env if (svc, key.removeprefix(prefix).lower()) not in PENDING_FIELDS}
            - {prefix + f.upper() for f in fields}
            - SERVER_VARIABLES
        )
        assert not unknown, f"{svc}-{role} sets variables no setting reads: {sorted(unknown)}"
        for key in list(os.environ):
            if key.startswith("STALKER_"):
                monkeypatch.delenv(key)
        for key, value in service_env.items():
            monkeypatch.setenv(key, value)
        settings: Any = settings_class()
        assert settings.environment == "production"
        assert settings.declare_topology is False
        assert settings.database_url.startswith("postgresql+asyncpg://stalker_" + svc)
        assert settings.broker_url.startswith(f"amqp://stalker-{svc}:")
