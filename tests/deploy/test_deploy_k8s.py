"""deploy/k8s: the overlays build (kubectl's kustomize, or kustomize_lite where kubectl is missing, and
the two agree); every object validates against the Kubernetes schema (kubernetes-validate, offline,
strict); and the rules of issue 7 hold on what is actually applied: probes, resources, non-root read-only
pods, disruption budgets, autoscalers, grace periods, Jobs for migrations, Secrets only in dev."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic_settings import BaseSettings

from stalker_catalog.settings import CatalogSettings
from stalker_events.settings import EventsSettings
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.auth import generate_private_pem, public_pem_of
from stalker_versions.settings import VersionsSettings
from stalker_web.settings import WebSettings

from support import kustomize_lite
from support.deployment import (
    IMAGES,
    K8S,
    OVERLAYS,
    ROOT,
    SERVICES,
    builder,
    built,
    dockerfile,
    find,
    image_service,
    kubectl,
    kubectl_build,
    workloads,
)

# Oldest and newest Kubernetes versions we validate against (both bundled with kubernetes-validate).
KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")
# Custom resources of the operators: kubernetes-validate has no schema for them (skipped by kind, checked
# structurally below). Any other kind without a schema fails.
OPERATOR_KINDS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
}
NAMESPACES = {"dev": "stalker-dev", "prod": "stalker"}
SETTINGS: dict[str, type[BaseSettings]] = {
    "catalog": CatalogSettings,
    "versions": VersionsSettings,
    "scheduler": SchedulerSettings,
    "events": EventsSettings,
}
# The keys of each Secret a studio provides (README, "Deploying"); dev's placeholders have exactly these.
SECRET_KEYS = {
    "catalog-secrets": {
        "STALKER_CATALOG_DATABASE_URL",
        "STALKER_CATALOG_BROKER_URL",
        "STALKER_CATALOG_JWT_PRIVATE_KEY",
        "STALKER_CATALOG_JWT_PUBLIC_KEY",
        "STALKER_CATALOG_ADMIN_PASSWORD",
    },
    "versions-secrets": {
        "STALKER_VERSIONS_DATABASE_URL",
        "STALKER_VERSIONS_BROKER_URL",
        "STALKER_VERSIONS_JWT_PUBLIC_KEY",
    },
    "scheduler-secrets": {
        "STALKER_SCHEDULER_DATABASE_URL",
        "STALKER_SCHEDULER_BROKER_URL",
        "STALKER_SCHEDULER_JWT_PUBLIC_KEY",
    },
    "events-secrets": {
        "STALKER_EVENTS_DATABASE_URL",
        "STALKER_EVENTS_BROKER_URL",
        "STALKER_EVENTS_JWT_PUBLIC_KEY",
    },
    "web-secrets": {"STALKER_WEB_SESSION_KEY"},
    "broker-users": {
        "STALKER_CATALOG_AMQP_PASSWORD",
        "STALKER_VERSIONS_AMQP_PASSWORD",
        "STALKER_SCHEDULER_AMQP_PASSWORD",
        "STALKER_EVENTS_AMQP_PASSWORD",
    },
    "rabbitmq-admin": {"username", "password"},
}
# Made by the RabbitMQ Cluster Operator for the RabbitmqCluster of overlays/dev.
OPERATOR_SECRETS = {"stalker-rabbitmq-default-user"}

Obj = dict[str, Any]


def _pods(objects: list[Obj]) -> list[tuple[Obj, Obj]]:
    return [(obj, spec) for obj in workloads(objects) if (spec := kustomize_lite.pod_spec(obj)) is not None]


def _ours(objects: list[Obj]) -> list[tuple[Obj, Obj]]:
    return [
        (obj, spec)
        for obj, spec in _pods(objects)
        if obj["metadata"]["labels"].get("app.kubernetes.io/part-of") == "stalker"
    ]


def _config(objects: list[Obj], svc: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in find(objects, "ConfigMap", f"{svc}-config")["data"].items()}


# --- building ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_builds_into_one_namespace(overlay: str) -> None:
    objects = built(overlay)
    assert objects, f"{overlay} built nothing ({builder(overlay)})"
    namespace = NAMESPACES[overlay]
    assert find(objects, "Namespace", namespace)
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == namespace, obj["metadata"]["name"]
    keys = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(keys) == len(set(keys)), "duplicate objects"


def _normalized(objects: list[Obj]) -> dict[tuple[str, str], Any]:
    """Objects by kind and name, lists of named items sorted (a strategic merge may reorder them)."""

    def norm(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list):
            items = [norm(v) for v in value]
            if items and all(isinstance(i, dict) and ("name" in i or "mountPath" in i) for i in items):
                return sorted(items, key=lambda i: str(i.get("name", i.get("mountPath"))))
            return items
        return value

    return {(o["kind"], o["metadata"]["name"]): norm(o) for o in objects}


@pytest.mark.skipif(kubectl() is None, reason="kubectl (with its built-in kustomize) is not installed")
@pytest.mark.parametrize("directory", ["base", "overlays/dev", "overlays/prod"])
def test_kustomize_lite_builds_exactly_what_kubectl_builds(directory: str) -> None:
    assert _normalized(kustomize_lite.build(K8S / directory)) == _normalized(kubectl_build(K8S / directory))


def test_kustomize_lite_refuses_what_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources: []\nconfigMapGenerator:\n  - name: x\n    literals: [a=b]\n"
    )
    with pytest.raises(kustomize_lite.UnsupportedKustomization, match="configMapGenerator"):
        kustomize_lite.build(tmp_path)


# --- schema ------------------------------------------------------------------------------------------------


def _validate(obj: Obj, version: str) -> None:
    kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_the_kubernetes_schema(overlay: str, version: str) -> None:
    skipped = []
    for obj in built(overlay):
        if (obj["apiVersion"], obj["kind"]) in OPERATOR_KINDS:
            skipped.append(obj["kind"])
            continue
        _validate(obj, version)
    assert bool(skipped) == (overlay == "dev"), "operator resources belong to the dev overlay only"


def test_strict_validation_catches_a_misspelt_field() -> None:
    deployment = copy.deepcopy(find(built("prod"), "Deployment", "catalog-api"))
    context = deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    context["readOnlyRootFileSystem"] = context.pop("readOnlyRootFilesystem")
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate(deployment, KUBERNETES_VERSIONS[-1])


def test_operator_resources_are_well_formed_and_consistent_with_the_dev_secrets() -> None:
    objects = built("dev")
    rabbit = find(objects, "RabbitmqCluster", "stalker-rabbitmq")
    assert rabbit["spec"]["image"].startswith("rabbitmq:3.10.")
    postgres = find(objects, "Cluster", "stalker-pg")
    roles = {role["name"]: role for role in postgres["spec"]["managed"]["roles"]}
    secrets = {o["metadata"]["name"]: o.get("stringData", {}) for o in objects if o["kind"] == "Secret"}
    users = {
        u["name"]: u["password_variable"]
        for u in yaml.safe_load((ROOT / "deploy/rabbitmq/users.json").read_text())["users"]
    }
    catalog = secrets["catalog-secrets"]
    public = public_pem_of(catalog["STALKER_CATALOG_JWT_PRIVATE_KEY"])
    for svc in SERVICES:
        # One key pair: tokens the catalog signs verify in every service.
        assert secrets[f"{svc}-secrets"][f"STALKER_{svc.upper()}_JWT_PUBLIC_KEY"].strip() == public.strip()
        role = roles[f"stalker_{svc}"]
        assert role["login"] and role["ensure"] == "present"
        role_secret = secrets[role["passwordSecret"]["name"]]
        assert role_secret["username"] == f"stalker_{svc}"
        database = find(objects, "Database", f"stalker-{svc}")["spec"]
        assert database == {
            "name": f"stalker_{svc}",
            "owner": f"stalker_{svc}",
            "cluster": {"name": "stalker-pg"},
        }
        prefix = f"STALKER_{svc.upper()}_"
        service_secrets = secrets[f"{svc}-secrets"]
        assert service_secrets[prefix + "DATABASE_URL"] == (
            f"postgresql+asyncpg://stalker_{svc}:{role_secret['password']}@stalker-pg-rw:5432/stalker_{svc}"
        )
        broker_password = secrets["broker-users"][users[f"stalker-{svc}"]]
        assert (
            service_secrets[prefix + "BROKER_URL"]
            == f"amqp://stalker-{svc}:{broker_password}@stalker-rabbitmq:5672/"
        )


# --- the rules on what is applied ---------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_an_api_a_worker_a_migration_job_and_a_route(overlay: str) -> None:
    objects = built(overlay)
    ingress = find(objects, "Ingress", "stalker")
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
    for svc in SERVICES:
        api = find(objects, "Deployment", f"{svc}-api")
        find(objects, "Deployment", f"{svc}-worker")
        service = find(objects, "Service", f"{svc}-api")
        labels = api["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items()
        assert routes[f"/{svc}"] == {"name": f"{svc}-api", "port": {"name": "http"}}
        job = find(objects, "Job", f"{svc}-migrate")
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert all(p["pathType"] == "Prefix" for p in rule["http"]["paths"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_web_app_is_routed_under_web_and_the_base_url_sends_browsers_there(overlay: str) -> None:
    objects = built(overlay)
    ingress = find(objects, "Ingress", "stalker")
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
    assert routes["/web"] == {"name": "web", "port": {"name": "http"}}
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/app-root"] == "/web/"
    # Several web replicas: one browser stays on one, where its concurrent token refreshes are shared.
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    web = find(objects, "Deployment", "web")
    assert find(objects, "Service", "web")["spec"]["selector"].items() <= (
        web["spec"]["template"]["metadata"]["labels"].items()
    )
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert image_service(container["image"]) == "web"
    assert {"name": "http", "containerPort": 8000} in container["ports"]
    assert container["startupProbe"]["httpGet"] == {"path": "/web/healthz", "port": "http"}
    # Pages only: no database, no broker, so no worker and no migration.
    names = {o["metadata"]["name"] for o in objects if o["kind"] in ("Deployment", "Job")}
    assert not {"web-worker", "web-migrate", "web-api"} & names


def _port(container: Obj, port: Any) -> int:
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container["ports"] if p.get("name") == port)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployments_probe_healthz_for_liveness_and_readyz_for_readiness_on_the_port_served(
    overlay: str,
) -> None:
    objects = built(overlay)
    for obj in objects:
        if obj["kind"] != "Deployment":
            continue
        svc = obj["metadata"]["labels"]["app.kubernetes.io/name"]
        (container,) = obj["spec"]["template"]["spec"]["containers"]
        live, ready = container["livenessProbe"]["httpGet"], container["readinessProbe"]["httpGet"]
        # The web app holds no connection of its own (no database, no broker): serving is being ready.
        readiness = "/web/healthz" if svc == "web" else "/readyz"
        assert live["path"].endswith("/healthz") and ready["path"].endswith(readiness)
        port = _port(container, live["port"])
        assert port == _port(container, ready["port"])
        if container["args"][0] == "api" or svc == "web":
            args = container["args"]
            assert int(args[args.index("--port") + 1]) == port
            assert args[args.index("--host") + 1] == "0.0.0.0"
            assert live["path"] == f"/{svc}/healthz"
        else:
            config = _config(objects, svc)
            assert int(config[f"STALKER_{svc.upper()}_HEALTH_PORT"]) == port
            assert config[f"STALKER_{svc.upper()}_HEALTH_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_and_limits(overlay: str) -> None:
    for obj, spec in _pods(built(overlay)):
        for container in spec["containers"]:
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(part, {})), f"{obj['metadata']['name']}: {part}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_as_the_images_non_root_user_on_a_read_only_root_with_tmp_writable(overlay: str) -> None:
    uid = {dockerfile(svc).final.all("USER")[-1].split(":")[0] for svc in IMAGES}
    assert len(uid) == 1
    for obj, spec in _ours(built(overlay)):
        name = obj["metadata"]["name"]
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and str(pod["runAsUser"]) in uid, name
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            if container.get("command"):
                continue  # the provisioner writes nothing
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            volumes = {v["name"]: v for v in spec.get("volumes", [])}
            tmp = volumes[mounts["/tmp"]]  # noqa: S108 - the pod's only writable directory
            assert "emptyDir" in tmp, f"{name}: /tmp is not an emptyDir"


def _selects(selector: Obj, labels: Obj) -> bool:
    return bool(selector.get("matchLabels")) and selector["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget(overlay: str) -> None:
    objects = built(overlay)
    budgets = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    for obj in objects:
        if obj["kind"] == "Deployment":
            labels = obj["spec"]["template"]["metadata"]["labels"]
            matching = [b for b in budgets if _selects(b["spec"]["selector"], labels)]
            assert len(matching) == 1, obj["metadata"]["name"]
            assert matching[0]["spec"].get("maxUnavailable") == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_own_the_replicas_of_the_apis_and_the_scheduler_workers(overlay: str) -> None:
    objects = built(overlay)
    scaled = {
        o["spec"]["scaleTargetRef"]["name"]: o["spec"]
        for o in objects
        if o["kind"] == "HorizontalPodAutoscaler"
    }
    assert set(scaled) == {f"{svc}-api" for svc in SERVICES} | {"scheduler-worker", "web"}
    for name, spec in scaled.items():
        deployment = find(objects, "Deployment", name)
        assert "replicas" not in deployment["spec"], (
            f"{name}: a fixed replica count would fight its autoscaler"
        )
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        assert spec["scaleTargetRef"]["kind"] == "Deployment"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_get_longer_than_their_shutdown_grace_before_sigkill(overlay: str) -> None:
    objects = built(overlay)
    for svc in SERVICES:
        grace = float(_config(objects, svc)[f"STALKER_{svc.upper()}_SHUTDOWN_GRACE_SECONDS"])
        pod = find(objects, "Deployment", f"{svc}-worker")["spec"]["template"]["spec"]
        # Consumers get the grace, then the relay gets it again (shared/stalker_shared/workers.py).
        assert pod["terminationGracePeriodSeconds"] > 2 * grace, svc
    for name in [f"{svc}-api" for svc in SERVICES] + ["web"]:
        api = find(objects, "Deployment", name)["spec"]["template"]["spec"]
        assert api["containers"][0]["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
        assert api["terminationGracePeriodSeconds"] > 5


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_ours_tagged_and_never_latest(overlay: str) -> None:
    for obj, spec in _ours(built(overlay)):
        for container in spec["containers"]:
            name, tag, digest = kustomize_lite.split_image(container["image"])
            assert (tag and tag != "latest") or digest, container["image"]
            assert image_service(container["image"]) in IMAGES, container["image"]
            if overlay == "prod":
                assert "/" in name, f"{obj['metadata']['name']}: prod pulls from the studio's registry"


def _references(objects: list[Obj], kind: str) -> set[str]:
    """Names of Secrets (or ConfigMaps) the workloads read."""
    ref, key_ref = ("secretRef", "secretKeyRef") if kind == "Secret" else ("configMapRef", "configMapKeyRef")
    names = set()
    for _, spec in _pods(objects):
        for container in spec["containers"]:
            names |= {e[ref]["name"] for e in container.get("envFrom", []) if ref in e}
            names |= {
                e["valueFrom"][key_ref]["name"]
                for e in container.get("env", [])
                if key_ref in e.get("valueFrom", {})
            }
    return names


def test_secrets_are_placeholders_in_dev_only_and_prod_documents_what_to_create() -> None:
    dev, prod = built("dev"), built("prod")
    assert not [o for o in prod if o["kind"] == "Secret"], "nothing secret is committed for production"
    dev_secrets = {o["metadata"]["name"]: o for o in dev if o["kind"] == "Secret"}
    assert _references(dev, "Secret") <= set(dev_secrets) | OPERATOR_SECRETS
    for name, keys in SECRET_KEYS.items():
        if name in dev_secrets:
            assert set(dev_secrets[name]["stringData"]) == keys, name
    readme = (ROOT / "README.md").read_text()
    deploying = readme[readme.index("## Deploying") :]
    for name, keys in SECRET_KEYS.items():
        assert name in _references(prod, "Secret") or name == "rabbitmq-admin"
        assert f"`{name}`" in deploying, f"README does not tell studios to create Secret {name}"
        for key in keys:
            assert key in deploying, f"README does not name key {key} of Secret {name}"
    for overlay in (dev, prod):
        configmaps = {o["metadata"]["name"] for o in overlay if o["kind"] == "ConfigMap"}
        assert _references(overlay, "ConfigMap") <= configmaps


def _settings_env(objects: list[Obj], svc: str, secrets: dict[str, str]) -> dict[str, str]:
    return {**_config(objects, svc), **secrets}


@pytest.mark.parametrize("svc", SERVICES)
def test_the_manifests_give_each_service_valid_settings(svc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    private = generate_private_pem()
    studio_values = {
        "DATABASE_URL": f"postgresql+asyncpg://stalker_{svc}:s3cret@db.example.com:5432/stalker_{svc}",
        "BROKER_URL": f"amqp://stalker-{svc}:s3cret@mq.example.com:5672/",
        "JWT_PRIVATE_KEY": private,
        "JWT_PUBLIC_KEY": public_pem_of(private),
        "ADMIN_PASSWORD": "a-long-admin-passphrase",
    }
    prefix = f"STALKER_{svc.upper()}_"
    dev = built("dev")
    cases = {
        "dev": (
            dev,
            {str(k): str(v) for k, v in find(dev, "Secret", f"{svc}-secrets")["stringData"].items()},
        ),
        "prod": (
            built("prod"),
            {key: studio_values[key.removeprefix(prefix)] for key in SECRET_KEYS[f"{svc}-secrets"]},
        ),
    }
    for overlay, (objects, secrets) in cases.items():
        for key in [k for k in os.environ if k.startswith("STALKER_")]:
            monkeypatch.delenv(key)
        for key, value in _settings_env(objects, svc, secrets).items():
            monkeypatch.setenv(key, value)
        settings: Any = SETTINGS[svc]()
        assert settings.environment == ("development" if overlay == "dev" else "production")
        assert settings.declare_topology is False
        assert settings.jwt_public_key


def test_the_manifests_give_the_web_app_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    dev, prod = built("dev"), built("prod")
    studio_key = {"STALKER_WEB_SESSION_KEY": Fernet.generate_key().decode()}
    dev_key = {str(k): str(v) for k, v in find(dev, "Secret", "web-secrets")["stringData"].items()}
    for objects, secrets, environment, scheme in (
        (dev, dev_key, "development", "http://"),
        (prod, studio_key, "production", "https://"),
    ):
        for key in [k for k in os.environ if k.startswith("STALKER_")]:
            monkeypatch.delenv(key)
        for key, value in _settings_env(objects, "web", secrets).items():
            monkeypatch.setenv(key, value)
        settings = WebSettings()
        assert settings.environment == environment
        assert settings.session_key is not None
        # Through the Ingress (its Service in dev, the public host in prod), never a service directly.
        assert settings.api_url.startswith(scheme) and "-api" not in settings.api_url
        assert settings.cookie_secure is (environment == "production")
    monkeypatch.delenv("STALKER_WEB_SESSION_KEY")
    with pytest.raises(ValueError, match="SESSION_KEY"):
        WebSettings()  # production refuses to start without the Secret


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespaces_enforce_pod_security(overlay: str) -> None:
    labels = find(built(overlay), "Namespace", NAMESPACES[overlay])["metadata"]["labels"]
    # Operator pods live in dev: "baseline" there, "restricted" where every pod is ours.
    expected = "baseline" if overlay == "dev" else "restricted"
    assert labels["pod-security.kubernetes.io/enforce"] == expected


def test_jobs_are_bounded_and_removed_after_they_finish() -> None:
    for overlay in OVERLAYS:
        for obj in built(overlay):
            if obj["kind"] == "Job":
                spec = obj["spec"]
                assert spec["backoffLimit"] >= 1 and spec["activeDeadlineSeconds"] > 0
                assert spec["ttlSecondsAfterFinished"] > 0
                assert re.fullmatch(r"(\w+-migrate|rabbitmq-provision)", obj["metadata"]["name"])
