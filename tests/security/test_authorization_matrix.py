"""The authorization matrix (OWASP API1/API5): every operation of the three services with the access it
requires. A route added without an entry here fails the first test; a route whose guard is missing or
wrong fails the others. Tampered tokens are refused by every service on its own (no catalog call)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio

from stalker_host.embedded import embedded_runtimes
from stalker_shared.auth import Principal, generate_private_pem, issue_token
from stalker_shared.http import create_service_app
from stalker_shared.runtime import Runtime

MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/catalog/healthz"): "public",
    ("GET", "/catalog/metrics"): "public",
    ("GET", "/catalog/readyz"): "public",
    ("GET", "/catalog/v1/assets"): "user",
    ("POST", "/catalog/v1/assets"): "user",
    ("DELETE", "/catalog/v1/assets/{task_id}"): "user",
    ("GET", "/catalog/v1/assets/{task_id}"): "user",
    ("PATCH", "/catalog/v1/assets/{task_id}"): "user",
    ("GET", "/catalog/v1/auth/me"): "user",
    ("POST", "/catalog/v1/auth/token"): "public",
    ("GET", "/catalog/v1/departments"): "user",
    ("POST", "/catalog/v1/departments"): "user",
    ("DELETE", "/catalog/v1/departments/{collection_id}"): "user",
    ("GET", "/catalog/v1/departments/{collection_id}"): "user",
    ("PATCH", "/catalog/v1/departments/{collection_id}"): "user",
    ("GET", "/catalog/v1/departments/{collection_id}/members"): "user",
    ("POST", "/catalog/v1/departments/{collection_id}/members"): "user",
    ("DELETE", "/catalog/v1/departments/{collection_id}/members/{user_id}"): "user",
    ("GET", "/catalog/v1/departments/{collection_id}/users"): "user",
    ("POST", "/catalog/v1/departments/{collection_id}/users"): "user",
    ("DELETE", "/catalog/v1/departments/{collection_id}/users/{user_id}"): "user",
    ("GET", "/catalog/v1/groups"): "user",
    ("POST", "/catalog/v1/groups"): "admin",
    ("DELETE", "/catalog/v1/groups/{collection_id}"): "admin",
    ("GET", "/catalog/v1/groups/{collection_id}"): "user",
    ("PATCH", "/catalog/v1/groups/{collection_id}"): "admin",
    ("GET", "/catalog/v1/groups/{collection_id}/members"): "user",
    ("POST", "/catalog/v1/groups/{collection_id}/members"): "admin",
    ("DELETE", "/catalog/v1/groups/{collection_id}/members/{user_id}"): "admin",
    ("GET", "/catalog/v1/groups/{collection_id}/users"): "user",
    ("POST", "/catalog/v1/groups/{collection_id}/users"): "admin",
    ("DELETE", "/catalog/v1/groups/{collection_id}/users/{user_id}"): "admin",
    ("GET", "/catalog/v1/image-formats"): "user",
    ("POST", "/catalog/v1/image-formats"): "user",
    ("DELETE", "/catalog/v1/image-formats/{format_id}"): "user",
    ("GET", "/catalog/v1/image-formats/{format_id}"): "user",
    ("PATCH", "/catalog/v1/image-formats/{format_id}"): "user",
    ("POST", "/catalog/v1/init"): "admin",
    ("GET", "/catalog/v1/projects"): "user",
    ("POST", "/catalog/v1/projects"): "user",
    ("DELETE", "/catalog/v1/projects/{project_id}"): "user",
    ("GET", "/catalog/v1/projects/{project_id}"): "user",
    ("PATCH", "/catalog/v1/projects/{project_id}"): "user",
    ("GET", "/catalog/v1/projects/{project_id}/users"): "user",
    ("POST", "/catalog/v1/projects/{project_id}/users"): "user",
    ("DELETE", "/catalog/v1/projects/{project_id}/users/{user_id}"): "user",
    ("GET", "/catalog/v1/roles"): "user",
    ("POST", "/catalog/v1/roles"): "user",
    ("DELETE", "/catalog/v1/roles/{role_id}"): "user",
    ("GET", "/catalog/v1/roles/{role_id}"): "user",
    ("PATCH", "/catalog/v1/roles/{role_id}"): "user",
    ("GET", "/catalog/v1/scenes"): "user",
    ("POST", "/catalog/v1/scenes"): "user",
    ("DELETE", "/catalog/v1/scenes/{task_id}"): "user",
    ("GET", "/catalog/v1/scenes/{task_id}"): "user",
    ("PATCH", "/catalog/v1/scenes/{task_id}"): "user",
    ("GET", "/catalog/v1/schedule-jobs"): "user",
    ("GET", "/catalog/v1/schedule-jobs/{job_id}"): "user",
    ("POST", "/catalog/v1/schedule-jobs/{job_id}/cancel"): "admin",
    ("GET", "/catalog/v1/sequences"): "user",
    ("POST", "/catalog/v1/sequences"): "user",
    ("DELETE", "/catalog/v1/sequences/{task_id}"): "user",
    ("GET", "/catalog/v1/sequences/{task_id}"): "user",
    ("PATCH", "/catalog/v1/sequences/{task_id}"): "user",
    ("GET", "/catalog/v1/shots"): "user",
    ("POST", "/catalog/v1/shots"): "user",
    ("GET", "/catalog/v1/shots/{shot_id}/sequences"): "user",
    ("PUT", "/catalog/v1/shots/{shot_id}/sequences"): "user",
    ("DELETE", "/catalog/v1/shots/{task_id}"): "user",
    ("GET", "/catalog/v1/shots/{task_id}"): "user",
    ("PATCH", "/catalog/v1/shots/{task_id}"): "user",
    ("GET", "/catalog/v1/status-lists"): "user",
    ("POST", "/catalog/v1/status-lists"): "admin",
    ("DELETE", "/catalog/v1/status-lists/{status_list_id}"): "admin",
    ("GET", "/catalog/v1/status-lists/{status_list_id}"): "user",
    ("PATCH", "/catalog/v1/status-lists/{status_list_id}"): "admin",
    ("GET", "/catalog/v1/statuses"): "user",
    ("POST", "/catalog/v1/statuses"): "admin",
    ("DELETE", "/catalog/v1/statuses/{status_id}"): "admin",
    ("GET", "/catalog/v1/statuses/{status_id}"): "user",
    ("PATCH", "/catalog/v1/statuses/{status_id}"): "admin",
    ("GET", "/catalog/v1/studios"): "user",
    ("POST", "/catalog/v1/studios"): "admin",
    ("DELETE", "/catalog/v1/studios/{studio_id}"): "admin",
    ("GET", "/catalog/v1/studios/{studio_id}"): "user",
    ("PATCH", "/catalog/v1/studios/{studio_id}"): "admin",
    ("POST", "/catalog/v1/studios/{studio_id}/schedule"): "user",
    ("GET", "/catalog/v1/studios/{studio_id}/snapshot"): "user",
    ("GET", "/catalog/v1/studios/{studio_id}/to-seconds"): "user",
    ("GET", "/catalog/v1/tasks"): "user",
    ("POST", "/catalog/v1/tasks"): "user",
    ("PATCH", "/catalog/v1/tasks/bulk"): "user",
    ("POST", "/catalog/v1/tasks/bulk"): "user",
    ("DELETE", "/catalog/v1/tasks/{task_id}"): "user",
    ("GET", "/catalog/v1/tasks/{task_id}"): "user",
    ("PATCH", "/catalog/v1/tasks/{task_id}"): "user",
    ("GET", "/catalog/v1/tasks/{task_id}/alternative_resources"): "user",
    ("POST", "/catalog/v1/tasks/{task_id}/alternative_resources"): "user",
    ("PUT", "/catalog/v1/tasks/{task_id}/alternative_resources"): "user",
    ("DELETE", "/catalog/v1/tasks/{task_id}/alternative_resources/{user_id}"): "user",
    ("GET", "/catalog/v1/tasks/{task_id}/children"): "user",
    ("GET", "/catalog/v1/tasks/{task_id}/dependencies"): "user",
    ("POST", "/catalog/v1/tasks/{task_id}/dependencies"): "user",
    ("PUT", "/catalog/v1/tasks/{task_id}/dependencies"): "user",
    ("DELETE", "/catalog/v1/tasks/{task_id}/dependencies/{depends_on_id}"): "user",
    ("GET", "/catalog/v1/tasks/{task_id}/resources"): "user",
    ("POST", "/catalog/v1/tasks/{task_id}/resources"): "user",
    ("PUT", "/catalog/v1/tasks/{task_id}/resources"): "user",
    ("DELETE", "/catalog/v1/tasks/{task_id}/resources/{user_id}"): "user",
    ("GET", "/catalog/v1/types"): "user",
    ("POST", "/catalog/v1/types"): "user",
    ("DELETE", "/catalog/v1/types/{type_id}"): "user",
    ("GET", "/catalog/v1/types/{type_id}"): "user",
    ("PATCH", "/catalog/v1/types/{type_id}"): "user",
    ("GET", "/catalog/v1/users"): "user",
    ("POST", "/catalog/v1/users"): "admin",
    ("DELETE", "/catalog/v1/users/{user_id}"): "admin",
    ("GET", "/catalog/v1/users/{user_id}"): "user",
    ("PATCH", "/catalog/v1/users/{user_id}"): "admin",
    ("GET", "/catalog/v1/users/{user_id}/departments"): "user",
    ("POST", "/catalog/v1/users/{user_id}/departments"): "user",
    ("DELETE", "/catalog/v1/users/{user_id}/departments/{department_id}"): "user",
    ("GET", "/versions/healthz"): "public",
    ("GET", "/versions/metrics"): "public",
    ("GET", "/versions/readyz"): "public",
    ("GET", "/versions/v1/filename-templates"): "user",
    ("POST", "/versions/v1/filename-templates"): "admin",
    ("DELETE", "/versions/v1/filename-templates/{template_id}"): "admin",
    ("GET", "/versions/v1/filename-templates/{template_id}"): "user",
    ("PATCH", "/versions/v1/filename-templates/{template_id}"): "admin",
    ("POST", "/versions/v1/paths/expand"): "user",
    ("POST", "/versions/v1/paths/repository"): "user",
    ("POST", "/versions/v1/paths/to-portable"): "user",
    ("GET", "/versions/v1/projects/{project_id}"): "user",
    ("GET", "/versions/v1/projects/{project_id}/directories"): "user",
    ("GET", "/versions/v1/projects/{project_id}/storage"): "user",
    ("PUT", "/versions/v1/projects/{project_id}/storage"): "admin",
    ("GET", "/versions/v1/repositories"): "user",
    ("POST", "/versions/v1/repositories"): "admin",
    ("DELETE", "/versions/v1/repositories/{repository_id}"): "admin",
    ("GET", "/versions/v1/repositories/{repository_id}"): "user",
    ("PATCH", "/versions/v1/repositories/{repository_id}"): "admin",
    ("GET", "/versions/v1/repositories/{repository_id}/path"): "user",
    ("GET", "/versions/v1/structures"): "user",
    ("POST", "/versions/v1/structures"): "admin",
    ("DELETE", "/versions/v1/structures/{structure_id}"): "admin",
    ("GET", "/versions/v1/structures/{structure_id}"): "user",
    ("PATCH", "/versions/v1/structures/{structure_id}"): "admin",
    ("GET", "/versions/v1/tasks/{task_id}/versions"): "user",
    ("POST", "/versions/v1/tasks/{task_id}/versions"): "user",
    ("GET", "/versions/v1/tasks/{task_id}/versions/latest"): "user",
    ("GET", "/versions/v1/tasks/{task_id}/versions/latest-published"): "user",
    ("DELETE", "/versions/v1/versions/{version_id}"): "user",
    ("GET", "/versions/v1/versions/{version_id}"): "user",
    ("PATCH", "/versions/v1/versions/{version_id}"): "user",
    ("GET", "/scheduler/healthz"): "public",
    ("GET", "/scheduler/metrics"): "public",
    ("GET", "/scheduler/readyz"): "public",
    ("GET", "/scheduler/v1/studios/{studio_id}/tjp"): "user",
}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


# The tests share one set of services (migrating three SQLite databases took ~1.5 s a test): they only
# read, or call routes with tokens and bodies that change nothing the others look at. One event loop for
# the module, as the services' engines and clients are bound to the loop they were made on; one worker.
pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.xdist_group("authorization_matrix")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def services(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, tuple[Runtime, httpx.AsyncClient]]]:
    runtimes = embedded_runtimes(tmp_path_factory.mktemp("services"))
    clients: dict[str, tuple[Runtime, httpx.AsyncClient]] = {}
    for runtime in runtimes:
        await runtime.open(migrate=True)
        app = create_service_app(runtime, manage_runtime=False)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        clients[runtime.definition.name] = (
            runtime,
            httpx.AsyncClient(transport=transport, base_url="http://t"),
        )
    try:
        yield clients
    finally:
        for runtime, client in clients.values():
            await client.aclose()
            await runtime.close()


def token(runtime: Runtime, *, admin: bool, lifetime: timedelta = timedelta(minutes=5)) -> str:
    assert runtime.keys.private_pem is not None
    return issue_token(runtime.keys.private_pem, Principal(999, "someone", admin), lifetime)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_every_operation_is_in_the_matrix(
    services: dict[str, tuple[Runtime, httpx.AsyncClient]],
) -> None:
    operations = set()
    for _, client in services.values():
        document = (await client.get(f"/{_.definition.name}/openapi.json")).json()
        operations |= {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert operations - MATRIX.keys() == set(), "add these routes to MATRIX with their access level"
    assert MATRIX.keys() - operations == set(), "these MATRIX entries are no longer routes"


async def test_anonymous_callers_get_401_except_on_public_routes(
    services: dict[str, tuple[Runtime, httpx.AsyncClient]],
) -> None:
    for (method, path), level in MATRIX.items():
        _, client = services[path.split("/")[1]]
        response = await client.request(method, concrete(path))
        if level == "public":
            assert response.status_code != 401, (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["www-authenticate"] == "Bearer"


async def test_admin_routes_refuse_other_users_and_user_routes_accept_them(
    services: dict[str, tuple[Runtime, httpx.AsyncClient]],
) -> None:
    for (method, path), level in MATRIX.items():
        if level == "public":
            continue
        runtime, client = services[path.split("/")[1]]
        headers = {"Authorization": f"Bearer {token(runtime, admin=False)}"}
        response = await client.request(method, concrete(path), headers=headers)
        if level == "admin":
            assert response.status_code == 403, (method, path, response.status_code)
        else:
            assert response.status_code not in (401, 403), (method, path, response.status_code)
            # 502: the route calls the catalog over HTTP, which this test does not run. Never a 500.
            assert response.status_code < 500 or response.status_code == 502, (
                method,
                path,
                response.text[:300],
            )


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("service", ["catalog", "versions", "scheduler"])
async def test_tampered_expired_and_foreign_tokens_get_401_everywhere(
    services: dict[str, tuple[Runtime, httpx.AsyncClient]], service: str
) -> None:
    runtime, client = services[service]
    url = {
        "catalog": "/catalog/v1/users",
        "versions": "/versions/v1/repositories",
        "scheduler": "/scheduler/v1/studios/1/tjp",
    }[service]
    good = token(runtime, admin=True)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = f"{header}.{_b64(claims | {'adm': True, 'sub': '1'})}.{signature}"
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    expired = token(runtime, admin=True, lifetime=timedelta(seconds=-30))
    foreign = issue_token(generate_private_pem(), Principal(1, "admin", True), timedelta(minutes=5))
    for bad in (forged, unsigned, expired, foreign, "not-a-token"):
        response = await client.get(url, headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, (service, bad[:30], response.status_code)
    assert (await client.get(url, headers={"Authorization": f"Bearer {good}"})).status_code not in (401, 403)
