"""The authorization matrix (OWASP API1/API5): every operation of the three services with the access it
requires. A route added without an entry here fails the first test; a route whose guard is missing or
wrong fails the others. Tampered tokens are refused by every service on its own (no catalog call).

Rules: `public`; `user` (anyone logged in); `admin`; `reference` (admins and producers of any project);
`list` (anyone logged in, rows of other projects left out); `own` (admins and the job's requester);
otherwise an operation of stalker_shared.access, allowed to the project roles PERMISSIONS gives it. For
project operations every role is tried in a real project, from the least to the most privileged: a
non-member gets 404, a member whose role lacks the operation 403, the first role that has it succeeds."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from stalker_host.embedded import embedded_runtimes
from stalker_shared.access import PERMISSIONS, Operation, ProjectRole
from stalker_shared.auth import Principal, generate_private_pem, issue_token
from stalker_shared.http import create_service_app
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers
from stalker_versions.api.common import versions_state
from stalker_versions.catalog_client import HttpCatalog
from stalker_versions.db.catalog import ProjectMember, TaskRef

MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/catalog/healthz"): "public",
    ("GET", "/catalog/metrics"): "public",
    ("GET", "/catalog/readyz"): "public",
    ("GET", "/catalog/v1/assets"): "list",
    ("POST", "/catalog/v1/assets"): "task.write",
    ("DELETE", "/catalog/v1/assets/{task_id}"): "task.write",
    ("GET", "/catalog/v1/assets/{task_id}"): "project.read",
    ("PATCH", "/catalog/v1/assets/{task_id}"): "task.write",
    ("GET", "/catalog/v1/auth/me"): "user",
    ("POST", "/catalog/v1/auth/token"): "public",
    ("POST", "/catalog/v1/auth/refresh"): "public",
    ("GET", "/catalog/v1/departments"): "user",
    ("POST", "/catalog/v1/departments"): "admin",
    ("DELETE", "/catalog/v1/departments/{collection_id}"): "admin",
    ("GET", "/catalog/v1/departments/{collection_id}"): "user",
    ("PATCH", "/catalog/v1/departments/{collection_id}"): "admin",
    ("GET", "/catalog/v1/departments/{collection_id}/members"): "user",
    ("POST", "/catalog/v1/departments/{collection_id}/members"): "admin",
    ("DELETE", "/catalog/v1/departments/{collection_id}/members/{user_id}"): "admin",
    ("GET", "/catalog/v1/departments/{collection_id}/users"): "user",
    ("POST", "/catalog/v1/departments/{collection_id}/users"): "admin",
    ("DELETE", "/catalog/v1/departments/{collection_id}/users/{user_id}"): "admin",
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
    ("POST", "/catalog/v1/image-formats"): "reference",
    ("DELETE", "/catalog/v1/image-formats/{format_id}"): "reference",
    ("GET", "/catalog/v1/image-formats/{format_id}"): "user",
    ("PATCH", "/catalog/v1/image-formats/{format_id}"): "reference",
    ("POST", "/catalog/v1/init"): "admin",
    ("GET", "/catalog/v1/outbox/parked"): "admin",
    ("POST", "/catalog/v1/outbox/parked/{message_id}/requeue"): "admin",
    ("GET", "/catalog/v1/projects"): "list",
    ("POST", "/catalog/v1/projects"): "admin",
    ("DELETE", "/catalog/v1/projects/{project_id}"): "project.delete",
    ("GET", "/catalog/v1/projects/{project_id}"): "project.read",
    ("PATCH", "/catalog/v1/projects/{project_id}"): "project.edit",
    ("GET", "/catalog/v1/projects/{project_id}/users"): "project.read",
    ("POST", "/catalog/v1/projects/{project_id}/users"): "project.members.manage",
    ("DELETE", "/catalog/v1/projects/{project_id}/users/{user_id}"): "project.members.manage",
    ("GET", "/catalog/v1/roles"): "user",
    ("POST", "/catalog/v1/roles"): "admin",
    ("DELETE", "/catalog/v1/roles/{role_id}"): "admin",
    ("GET", "/catalog/v1/roles/{role_id}"): "user",
    ("PATCH", "/catalog/v1/roles/{role_id}"): "admin",
    ("GET", "/catalog/v1/scenes"): "list",
    ("POST", "/catalog/v1/scenes"): "task.write",
    ("DELETE", "/catalog/v1/scenes/{task_id}"): "task.write",
    ("GET", "/catalog/v1/scenes/{task_id}"): "project.read",
    ("PATCH", "/catalog/v1/scenes/{task_id}"): "task.write",
    ("GET", "/catalog/v1/schedule-jobs"): "list",
    ("GET", "/catalog/v1/schedule-jobs/{job_id}"): "own",
    ("POST", "/catalog/v1/schedule-jobs/{job_id}/cancel"): "own",
    ("GET", "/catalog/v1/schedule-jobs/{job_id}/scenario"): "own",
    ("POST", "/catalog/v1/schedule-jobs/{job_id}/apply"): "own",  # and the producers of its projects
    ("POST", "/catalog/v1/schedule-jobs/{job_id}/drop"): "own",  # the same
    ("GET", "/catalog/v1/sequences"): "list",
    ("POST", "/catalog/v1/sequences"): "task.write",
    ("DELETE", "/catalog/v1/sequences/{task_id}"): "task.write",
    ("GET", "/catalog/v1/sequences/{task_id}"): "project.read",
    ("PATCH", "/catalog/v1/sequences/{task_id}"): "task.write",
    ("GET", "/catalog/v1/shots"): "list",
    ("POST", "/catalog/v1/shots"): "task.write",
    ("GET", "/catalog/v1/shots/{shot_id}/sequences"): "project.read",
    ("PUT", "/catalog/v1/shots/{shot_id}/sequences"): "task.write",
    ("DELETE", "/catalog/v1/shots/{task_id}"): "task.write",
    ("GET", "/catalog/v1/shots/{task_id}"): "project.read",
    ("PATCH", "/catalog/v1/shots/{task_id}"): "task.write",
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
    ("POST", "/catalog/v1/studios/{studio_id}/schedule"): "project.schedule",
    ("GET", "/catalog/v1/studios/{studio_id}/snapshot"): "list",
    ("GET", "/catalog/v1/studios/{studio_id}/to-seconds"): "user",
    ("GET", "/catalog/v1/tasks"): "list",
    ("POST", "/catalog/v1/tasks"): "task.write",
    ("PATCH", "/catalog/v1/tasks/bulk"): "task.write",
    ("POST", "/catalog/v1/tasks/bulk"): "task.write",
    ("DELETE", "/catalog/v1/tasks/{task_id}"): "task.write",
    ("GET", "/catalog/v1/tasks/{task_id}"): "project.read",
    ("PATCH", "/catalog/v1/tasks/{task_id}"): "task.write",
    ("GET", "/catalog/v1/tasks/{task_id}/alternative_resources"): "project.read",
    ("POST", "/catalog/v1/tasks/{task_id}/alternative_resources"): "task.write",
    ("PUT", "/catalog/v1/tasks/{task_id}/alternative_resources"): "task.write",
    ("DELETE", "/catalog/v1/tasks/{task_id}/alternative_resources/{user_id}"): "task.write",
    ("GET", "/catalog/v1/tasks/{task_id}/children"): "project.read",
    ("GET", "/catalog/v1/tasks/{task_id}/dependencies"): "project.read",
    ("POST", "/catalog/v1/tasks/{task_id}/dependencies"): "task.write",
    ("PUT", "/catalog/v1/tasks/{task_id}/dependencies"): "task.write",
    ("DELETE", "/catalog/v1/tasks/{task_id}/dependencies/{depends_on_id}"): "task.write",
    ("GET", "/catalog/v1/tasks/{task_id}/resources"): "project.read",
    ("POST", "/catalog/v1/tasks/{task_id}/resources"): "task.write",
    ("PUT", "/catalog/v1/tasks/{task_id}/resources"): "task.write",
    ("DELETE", "/catalog/v1/tasks/{task_id}/resources/{user_id}"): "task.write",
    ("GET", "/catalog/v1/notes"): "list",
    ("POST", "/catalog/v1/notes"): "note.write",
    ("DELETE", "/catalog/v1/notes/{note_id}"): "note.edit.any",
    ("GET", "/catalog/v1/notes/{note_id}"): "project.read",
    ("PATCH", "/catalog/v1/notes/{note_id}"): "note.edit.any",
    ("GET", "/catalog/v1/vacations"): "user",
    ("POST", "/catalog/v1/vacations"): "user",  # one's own; anyone's or the studio's: admins, producers
    ("DELETE", "/catalog/v1/vacations/{vacation_id}"): "user",  # the same
    ("GET", "/catalog/v1/vacations/{vacation_id}"): "user",
    ("PATCH", "/catalog/v1/vacations/{vacation_id}"): "user",  # the same
    ("GET", "/catalog/v1/holidays"): "user",
    ("POST", "/catalog/v1/holidays"): "reference",
    ("DELETE", "/catalog/v1/holidays/{holiday_id}"): "reference",
    ("GET", "/catalog/v1/holidays/{holiday_id}"): "user",
    ("PATCH", "/catalog/v1/holidays/{holiday_id}"): "reference",
    ("GET", "/catalog/v1/users/{user_id}/working-hours"): "user",
    ("PUT", "/catalog/v1/users/{user_id}/working-hours"): "reference",
    ("DELETE", "/catalog/v1/users/{user_id}/working-hours"): "reference",
    ("GET", "/catalog/v1/projects/{project_id}/progress"): "project.read",
    ("GET", "/catalog/v1/projects/{project_id}/review-inbox"): "project.read",
    ("GET", "/catalog/v1/users/{user_id}/tasks"): "list",
    ("GET", "/catalog/v1/users/{user_id}/time-sheet"): "list",
    ("GET", "/catalog/v1/time-logs"): "list",
    ("POST", "/catalog/v1/time-logs"): "time_log.write.own",
    ("DELETE", "/catalog/v1/time-logs/{time_log_id}"): "time_log.write.own",
    ("GET", "/catalog/v1/time-logs/{time_log_id}"): "time_log.write.own",  # own; leads, producers: any
    ("PATCH", "/catalog/v1/time-logs/{time_log_id}"): "time_log.write.own",
    ("GET", "/catalog/v1/reviews"): "list",
    ("GET", "/catalog/v1/reviews/{review_id}"): "project.read",
    ("POST", "/catalog/v1/reviews/{review_id}/approve"): "review.decide",
    ("POST", "/catalog/v1/reviews/{review_id}/request-revision"): "review.decide",
    ("POST", "/catalog/v1/tasks/{task_id}/request-review"): "review.request",
    ("POST", "/catalog/v1/tasks/{task_id}/request-revision"): "task.status",
    ("POST", "/catalog/v1/tasks/{task_id}/hold"): "task.status",
    ("POST", "/catalog/v1/tasks/{task_id}/stop"): "task.status",
    ("POST", "/catalog/v1/tasks/{task_id}/resume"): "task.status",
    ("GET", "/catalog/v1/tasks/{task_id}/responsible"): "project.read",
    ("POST", "/catalog/v1/tasks/{task_id}/responsible"): "task.write",
    ("PUT", "/catalog/v1/tasks/{task_id}/responsible"): "task.write",
    ("DELETE", "/catalog/v1/tasks/{task_id}/responsible/{user_id}"): "task.write",
    ("GET", "/catalog/v1/tasks/{task_id}/watchers"): "project.read",
    ("POST", "/catalog/v1/tasks/{task_id}/watchers"): "task.write",
    ("PUT", "/catalog/v1/tasks/{task_id}/watchers"): "task.write",
    ("DELETE", "/catalog/v1/tasks/{task_id}/watchers/{user_id}"): "task.write",
    ("GET", "/catalog/v1/types"): "user",
    ("POST", "/catalog/v1/types"): "reference",
    ("DELETE", "/catalog/v1/types/{type_id}"): "reference",
    ("GET", "/catalog/v1/types/{type_id}"): "user",
    ("PATCH", "/catalog/v1/types/{type_id}"): "reference",
    ("GET", "/catalog/v1/users"): "user",
    ("POST", "/catalog/v1/users"): "admin",
    ("DELETE", "/catalog/v1/users/{user_id}"): "admin",
    ("GET", "/catalog/v1/users/{user_id}"): "user",
    ("PATCH", "/catalog/v1/users/{user_id}"): "admin",
    ("GET", "/catalog/v1/users/{user_id}/departments"): "user",
    ("POST", "/catalog/v1/users/{user_id}/departments"): "admin",
    ("DELETE", "/catalog/v1/users/{user_id}/departments/{department_id}"): "admin",
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
    ("GET", "/versions/v1/outbox/parked"): "admin",
    ("POST", "/versions/v1/outbox/parked/{message_id}/requeue"): "admin",
    ("GET", "/versions/v1/projects/{project_id}"): "project.read",
    ("GET", "/versions/v1/projects/{project_id}/directories"): "project.read",
    ("GET", "/versions/v1/projects/{project_id}/storage"): "project.read",
    ("PUT", "/versions/v1/projects/{project_id}/storage"): "project.storage.set",
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
    ("GET", "/versions/v1/tasks/{task_id}/versions"): "list",
    ("POST", "/versions/v1/tasks/{task_id}/versions"): "version.create",
    ("GET", "/versions/v1/tasks/{task_id}/versions/latest"): "project.read",
    ("GET", "/versions/v1/tasks/{task_id}/versions/latest-published"): "project.read",
    ("DELETE", "/versions/v1/versions/{version_id}"): "version.edit.own",
    ("GET", "/versions/v1/versions/{version_id}"): "project.read",
    ("PATCH", "/versions/v1/versions/{version_id}"): "version.edit.own",
    ("GET", "/scheduler/healthz"): "public",
    ("GET", "/scheduler/metrics"): "public",
    ("GET", "/scheduler/readyz"): "public",
    ("GET", "/scheduler/v1/outbox/parked"): "admin",
    ("POST", "/scheduler/v1/outbox/parked/{message_id}/requeue"): "admin",
    ("GET", "/scheduler/v1/studios/{studio_id}/tjp"): "user",
    ("GET", "/events/healthz"): "public",
    ("GET", "/events/metrics"): "public",
    ("GET", "/events/readyz"): "public",
    # Scoped by membership in the query itself: a caller sees only their projects' events (test_events_log).
    ("GET", "/events/v1/events"): "user",
    ("GET", "/events/v1/types"): "user",
    ("GET", "/events/v1/stream"): "user",
    # Admins any webhook; a producer their own, for projects they produce (test_events_webhooks.py); to
    # anyone else another's webhook is not found.
    ("GET", "/events/v1/webhooks"): "user",
    ("POST", "/events/v1/webhooks"): "user",
    ("GET", "/events/v1/webhooks/{webhook_id}"): "own",
    ("PATCH", "/events/v1/webhooks/{webhook_id}"): "own",
    ("DELETE", "/events/v1/webhooks/{webhook_id}"): "own",
    ("POST", "/events/v1/webhooks/{webhook_id}/rotate-secret"): "own",
    ("POST", "/events/v1/webhooks/{webhook_id}/enable"): "own",
    ("GET", "/events/v1/webhooks/{webhook_id}/deliveries"): "own",
    ("GET", "/events/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/attempts"): "own",
    ("POST", "/events/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): "own",
    # Last: it revokes the caller's tokens, so the routes after it in a test would see them refused.
    ("POST", "/catalog/v1/auth/logout"): "user",
}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


# One set of migrated services for the module (three migrations per test were most of its time): every
# test builds its own world in them, with names of its own, on the module's event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


Services = dict[str, tuple[Runtime, httpx.AsyncClient]]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def services(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Services]:
    runtimes = embedded_runtimes(tmp_path_factory.mktemp("services"))
    clients: Services = {}
    for runtime in runtimes:
        await runtime.open(migrate=True)
        app = create_service_app(runtime, manage_runtime=False)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        clients[runtime.definition.name] = (
            runtime,
            httpx.AsyncClient(transport=transport, base_url="http://t"),
        )
    # The versions service asks the catalog about callers (and projects, tasks) it has not heard of yet:
    # here the catalog's app in this process answers, as the real one would over HTTP.
    catalog_app = create_service_app(clients["catalog"][0], manage_runtime=False)
    versions_state(clients["versions"][0]).catalog = HttpCatalog(
        "http://t", transport=httpx.ASGITransport(app=catalog_app)
    )
    clients["scheduler"][0].definition.state.transport = httpx.ASGITransport(app=catalog_app)
    clients["events"][0].definition.state.callers.transport = httpx.ASGITransport(app=catalog_app)
    try:
        yield clients
    finally:
        for runtime, client in clients.values():
            await client.aclose()
            await runtime.close()


def token(
    runtime: Runtime, *, admin: bool, lifetime: timedelta = timedelta(minutes=5), user_id: int = 1
) -> str:
    assert runtime.keys.private_pem is not None
    return issue_token(runtime.keys.private_pem, Principal(user_id, "someone", admin), lifetime)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_every_operation_is_in_the_matrix(services: Services) -> None:
    operations = set()
    for _, client in services.values():
        document = (await client.get(f"/{_.definition.name}/openapi.json")).json()
        operations |= {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert operations - MATRIX.keys() == set(), "add these routes to MATRIX with their access level"
    assert MATRIX.keys() - operations == set(), "these MATRIX entries are no longer routes"
    rules = {"public", "user", "admin", "reference", "list", "own"} | {o.value for o in Operation}
    assert set(MATRIX.values()) <= rules
    project_routes = {k for k, rule in MATRIX.items() if rule in {o.value for o in Operation}}
    catalog_routes = {k for k in project_routes if k[1].startswith("/catalog/")}
    assert catalog_routes - CASES.keys() == set(), "give these project routes a boundary case in CASES"


async def test_anonymous_callers_get_401_except_on_public_routes(services: Services) -> None:
    for (method, path), level in MATRIX.items():
        _, client = services[path.split("/")[1]]
        response = await client.request(method, concrete(path))
        if level == "public":
            assert response.status_code != 401, (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["www-authenticate"] == "Bearer"


# Answered as a stream that ends only when its token does: its access is tested with a live stream there.
STREAMS = {"/events/v1/stream"}  # tests/integration/events/test_events_stream.py


async def test_studio_routes_refuse_members_without_the_right_and_accept_the_rest(services: Services) -> None:
    world = await build_world(services)
    for (method, path), level in MATRIX.items():
        if level not in {"user", "admin", "reference", "list"} or path in STREAMS:
            continue
        _, client = services[path.split("/")[1]]
        for role in ("artist", "producer"):
            response = await client.request(method, concrete(path), headers=world.headers[role])
            refused = level == "admin" or (level == "reference" and role == "artist")
            if refused:
                assert response.status_code == 403, (method, path, role, response.status_code)
            else:
                assert response.status_code not in (401, 403), (method, path, role, response.status_code)
                # 502: the route calls the catalog over HTTP, which this test does not run. Never a 500.
                assert response.status_code < 500 or response.status_code == 502, (
                    method,
                    path,
                    response.text,
                )


# The project's members, from the least to the most privileged; `outsider` is in another project only.
LADDER = ("outsider", "viewer", "artist", "lead", "producer", "admin")


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    ids: dict[str, int]
    catalog: httpx.AsyncClient
    roles: dict[str, int]  # access level -> role id
    users: dict[str, int]
    counter: list[int]
    codes: dict[str, str] = field(default_factory=dict)

    def unique(self, prefix: str) -> str:
        """A name no other world in the module's services has (they share one set of services)."""
        self.counter[0] += 1
        return f"{prefix}{self.counter[0]}"

    async def post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        response = await self.catalog.post(f"/catalog/v1/{path}", json=body, headers=self.headers["admin"])
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()  # type: ignore[no-any-return]

    async def new_project(self) -> int:
        code = self.unique("P")
        project = await self.post("projects", {"name": code, "code": code})
        for level in ("viewer", "artist", "lead", "producer"):
            member = {"user_id": self.users[level], "role_id": self.roles[level]}
            await self.post(f"projects/{project['id']}/users", member)
        return int(project["id"])  # type: ignore[call-overload]

    async def new_task(self, **fields: object) -> int:
        task = await self.post("tasks", {"name": self.unique("T"), "parent_id": self.ids["shot"], **fields})
        return int(task["id"])  # type: ignore[call-overload]


_COUNTER = [0]  # shared by the module's worlds: their names never meet


async def build_world(services: Services) -> World:
    catalog_runtime, catalog = services["catalog"]
    admin = {"Authorization": f"Bearer {token(catalog_runtime, admin=True)}"}
    roles = {
        r["access"]: r["id"] for r in (await catalog.get("/catalog/v1/roles", headers=admin)).json()["items"]
    }
    world = World({"admin": admin}, {}, catalog, roles, {}, _COUNTER)
    for name in ("outsider", "viewer", "artist", "lead", "producer", "spare"):
        login = world.unique(name)
        user = await world.post(
            "users", {"name": login, "login": login, "email": f"{login}@x.com", "password": "Tr0ub4dor&3"}
        )
        world.users[name] = int(user["id"])  # type: ignore[call-overload]
        user_token = token(catalog_runtime, admin=False, user_id=world.users[name])
        for runtime, _ in services.values():
            assert runtime.keys.public_pem == catalog_runtime.keys.public_pem
        world.headers[name] = {"Authorization": f"Bearer {user_token}"}
    project = world.ids["project"] = await world.new_project()
    other_code = world.codes["other"] = world.unique("OTHER")
    other = await world.post("projects", {"name": other_code, "code": other_code})
    await world.post(f"projects/{other['id']}/users", {"user_id": world.users["outsider"]})
    character = await world.post("types", {"name": world.unique("Character"), "target_entity_type": "Asset"})
    world.ids["type"] = int(character["id"])  # type: ignore[call-overload]
    for kind, body in (
        ("sequences", {"name": "Seq", "code": world.unique("SEQ")}),
        ("scenes", {"name": "Scene", "code": world.unique("SCN")}),
        ("assets", {"name": "Hero", "code": world.unique("HERO"), "type_id": world.ids["type"]}),
    ):
        world.ids[kind[:-1]] = int((await world.post(kind, {**body, "project_id": project}))["id"])  # type: ignore[call-overload]
    shot = await world.post(
        "shots", {"code": world.unique("SH"), "project_id": project, "sequence_ids": [world.ids["sequence"]]}
    )
    world.ids["shot"] = int(shot["id"])  # type: ignore[call-overload]
    world.ids["before"] = await world.new_task()
    world.ids["task"] = await world.new_task(
        resource_ids=[world.users["artist"]],
        alternative_resource_ids=[world.users["lead"]],
        depends=[world.ids["before"]],
    )
    await world.post(f"projects/{project}/users", {"user_id": world.users["spare"]})
    return world


Case = Callable[[World], Awaitable[tuple[str, dict[str, object] | None]]]


def at(path: str, body: dict[str, object] | None = None) -> Case:
    """A case on the world's objects: `{project}`, `{task}`... in the path are their ids."""

    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        return path.format(**world.ids, **{f"user_{k}": v for k, v in world.users.items()}), body

    return case


def fresh_task(path: str, body: dict[str, object] | None = None, **fields: object) -> Case:
    """A case on a task made for it (a delete, or a change of its relations), so each try has one."""

    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        named = {**world.ids, **world.users}
        ids = {k: named[v] if isinstance(v, str) else v for k, v in fields.items()}
        made = await world.new_task(**{k: [v] for k, v in ids.items()})
        return path.format(fresh=made, **world.ids, **{f"user_{k}": v for k, v in world.users.items()}), body

    return case


def fresh_project(path: str, body: dict[str, object] | None = None) -> Case:
    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        return path.format(fresh=await world.new_project()), body

    return case


def named(kind: str, **body: object) -> Case:
    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        extra = {"type_id": world.ids["type"]} if kind == "assets" else {}
        code = world.unique("C")
        return f"/catalog/v1/{kind}", {
            "name": code,
            "code": code,
            "project_id": world.ids["project"],
            **extra,
            **body,
        }

    return case


C = "/catalog/v1"
CASES: dict[tuple[str, str], Case] = {
    ("GET", f"{C}/projects/{{project_id}}"): at(C + "/projects/{project}"),
    ("PATCH", f"{C}/projects/{{project_id}}"): at(C + "/projects/{project}", {"description": "x"}),
    ("DELETE", f"{C}/projects/{{project_id}}"): fresh_project(C + "/projects/{fresh}"),
    ("GET", f"{C}/projects/{{project_id}}/users"): at(C + "/projects/{project}/users"),
    ("POST", f"{C}/projects/{{project_id}}/users"): at(C + "/projects/{project}/users", {"user_id": 1}),
    ("DELETE", f"{C}/projects/{{project_id}}/users/{{user_id}}"): at(
        C + "/projects/{project}/users/{user_spare}"
    ),
    ("POST", f"{C}/studios/{{studio_id}}/schedule"): at(
        C + "/studios/{studio}/schedule", {"project_ids": None}
    ),
    ("GET", f"{C}/tasks/{{task_id}}"): at(C + "/tasks/{task}"),
    ("PATCH", f"{C}/tasks/{{task_id}}"): at(C + "/tasks/{task}", {"description": "x"}),
    ("DELETE", f"{C}/tasks/{{task_id}}"): fresh_task(C + "/tasks/{fresh}"),
    ("POST", f"{C}/tasks"): at(C + "/tasks", {"name": "New", "parent_id": "{shot}"}),
    ("POST", f"{C}/tasks/bulk"): at(C + "/tasks/bulk", {"items": [{"name": "Bulk", "parent_id": "{shot}"}]}),
    ("PATCH", f"{C}/tasks/bulk"): at(C + "/tasks/bulk", {"items": [{"id": "{task}", "description": "y"}]}),
    ("GET", f"{C}/tasks/{{task_id}}/children"): at(C + "/tasks/{shot}/children"),
    ("GET", f"{C}/shots/{{shot_id}}/sequences"): at(C + "/shots/{shot}/sequences"),
    ("PUT", f"{C}/shots/{{shot_id}}/sequences"): at(
        C + "/shots/{shot}/sequences", {"sequence_ids": ["{sequence}"]}
    ),
    ("GET", f"{C}/tasks/{{task_id}}/dependencies"): at(C + "/tasks/{task}/dependencies"),
    ("PUT", f"{C}/tasks/{{task_id}}/dependencies"): at(
        C + "/tasks/{task}/dependencies", {"depends": ["{before}"]}
    ),
    ("POST", f"{C}/tasks/{{task_id}}/dependencies"): at(
        C + "/tasks/{task}/dependencies", {"depends_on_id": "{before}"}
    ),
    ("DELETE", f"{C}/tasks/{{task_id}}/dependencies/{{depends_on_id}}"): fresh_task(
        C + "/tasks/{fresh}/dependencies/{before}", depends="before"
    ),
}
for _relation, _holder in (("resources", "artist"), ("alternative_resources", "lead")):
    CASES[("GET", f"{C}/tasks/{{task_id}}/{_relation}")] = at(f"{C}/tasks/{{task}}/{_relation}")
    CASES[("PUT", f"{C}/tasks/{{task_id}}/{_relation}")] = at(
        f"{C}/tasks/{{task}}/{_relation}", {"user_ids": [f"{{user_{_holder}}}"]}
    )
    CASES[("POST", f"{C}/tasks/{{task_id}}/{_relation}")] = at(
        f"{C}/tasks/{{task}}/{_relation}", {"user_id": f"{{user_{_holder}}}"}
    )
    _field = "resource_ids" if _relation == "resources" else "alternative_resource_ids"
    CASES[("DELETE", f"{C}/tasks/{{task_id}}/{_relation}/{{user_id}}")] = fresh_task(
        f"{C}/tasks/{{fresh}}/{_relation}/{{user_{_holder}}}", **{_field: _holder}
    )
for _kind, _one in (("sequences", "sequence"), ("scenes", "scene"), ("assets", "asset"), ("shots", "shot")):
    CASES[("GET", f"{C}/{_kind}/{{task_id}}")] = at(f"{C}/{_kind}/{{{_one}}}")
    CASES[("PATCH", f"{C}/{_kind}/{{task_id}}")] = at(f"{C}/{_kind}/{{{_one}}}", {"description": "x"})
    CASES[("POST", f"{C}/{_kind}")] = named(_kind)


async def _deleted_kind(world: World, kind: str) -> tuple[str, dict[str, object] | None]:
    path, body = await named(kind)(world)
    made = await world.post(path.removeprefix("/catalog/v1/"), body or {})
    return f"{C}/{kind}/{made['id']}", None


for _kind in ("sequences", "scenes", "assets", "shots"):
    CASES[("DELETE", f"{C}/{_kind}/{{task_id}}")] = lambda world, k=_kind: _deleted_kind(world, k)


# Production tracking: each try works on objects of its own (a task in work, a time log, a review), so a
# refused try leaves the next one its object; time logs of one person are hours apart, never overlapping.
_HOURS = [0]


async def _in_work(world: World) -> tuple[int, int]:
    """A task of the artist's, reviewed by the lead, with a time log: WIP. Its id and the log's."""
    made = await world.post(
        "tasks",
        {"name": world.unique("W"), "parent_id": world.ids["shot"], "resource_ids": [world.users["artist"]]},
    )
    task_id = int(made["id"])  # type: ignore[call-overload]
    await world.catalog.put(
        f"{C}/tasks/{task_id}/responsible",
        json={"user_ids": [world.users["lead"]]},
        headers=world.headers["admin"],
    )
    log = await world.post(
        "time-logs", {"task_id": task_id, "resource_id": world.users["artist"], **_next_hour()}
    )
    return task_id, int(log["id"])  # type: ignore[call-overload]


def _next_hour() -> dict[str, object]:
    _HOURS[0] += 1
    start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=_HOURS[0])
    return {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}


async def _review(world: World) -> int:
    task_id, _ = await _in_work(world)
    made = await world.post(f"tasks/{task_id}/request-review", {})
    return int(made["reviews"][0]["id"])  # type: ignore[index]


def _on_work(path: str, body: dict[str, object] | None = None, then: str | None = None) -> Case:
    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        task_id, log_id = await _in_work(world)
        if then is not None:
            await world.post(f"tasks/{task_id}/{then}", {})
        return path.format(task=task_id, log=log_id), body

    return case


def _on_review(path: str, body: dict[str, object] | None = None) -> Case:
    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        return path.format(review=await _review(world)), body

    return case


async def _new_log(world: World) -> tuple[str, dict[str, object] | None]:
    task_id, _ = await _in_work(world)
    return f"{C}/time-logs", {"task_id": task_id, "resource_id": world.users["artist"], **_next_hour()}


CASES.update(
    {
        ("POST", f"{C}/time-logs"): _new_log,
        ("GET", f"{C}/time-logs/{{time_log_id}}"): _on_work(C + "/time-logs/{log}"),
        ("PATCH", f"{C}/time-logs/{{time_log_id}}"): _on_work(C + "/time-logs/{log}", {"description": "x"}),
        ("DELETE", f"{C}/time-logs/{{time_log_id}}"): _on_work(C + "/time-logs/{log}"),
        ("GET", f"{C}/reviews/{{review_id}}"): _on_review(C + "/reviews/{review}"),
        ("POST", f"{C}/reviews/{{review_id}}/approve"): _on_review(C + "/reviews/{review}/approve", {}),
        ("POST", f"{C}/reviews/{{review_id}}/request-revision"): _on_review(
            C + "/reviews/{review}/request-revision", {"schedule_timing": 2}
        ),
        ("POST", f"{C}/tasks/{{task_id}}/request-review"): _on_work(C + "/tasks/{task}/request-review", {}),
        ("POST", f"{C}/tasks/{{task_id}}/request-revision"): _on_work(
            C + "/tasks/{task}/request-revision", {}, then="request-review"
        ),
        ("POST", f"{C}/tasks/{{task_id}}/hold"): _on_work(C + "/tasks/{task}/hold", {}),
        ("POST", f"{C}/tasks/{{task_id}}/stop"): _on_work(C + "/tasks/{task}/stop", {}),
        ("POST", f"{C}/tasks/{{task_id}}/resume"): _on_work(C + "/tasks/{task}/resume", {}, then="hold"),
    }
)
for _relation in ("responsible", "watchers"):
    CASES[("GET", f"{C}/tasks/{{task_id}}/{_relation}")] = at(f"{C}/tasks/{{task}}/{_relation}")
    CASES[("PUT", f"{C}/tasks/{{task_id}}/{_relation}")] = at(
        f"{C}/tasks/{{task}}/{_relation}", {"user_ids": ["{user_lead}"]}
    )
    CASES[("POST", f"{C}/tasks/{{task_id}}/{_relation}")] = at(
        f"{C}/tasks/{{task}}/{_relation}", {"user_id": "{user_lead}"}
    )
    CASES[("DELETE", f"{C}/tasks/{{task_id}}/{_relation}/{{user_id}}")] = lambda world, relation=_relation: (
        _lead_in(world, relation)
    )


async def _lead_in(world: World, relation: str) -> tuple[str, dict[str, object] | None]:
    """A task whose responsible (or watchers) hold the lead, for removing them."""
    task_id, _ = await _in_work(world)
    await world.post(f"tasks/{task_id}/{relation}", {"user_id": world.users["lead"]})
    return f"{C}/tasks/{task_id}/{relation}/{world.users['lead']}", None


def fresh_note(path: str, body: dict[str, object] | None = None) -> Case:
    """A case on a note an admin left on the world's task (so no role tried is its author)."""

    async def case(world: World) -> tuple[str, dict[str, object] | None]:
        made = await world.post("notes", {"text": world.unique("note"), "task_id": world.ids["task"]})
        return path.format(fresh=made["id"]), body

    return case


CASES.update(
    {
        ("POST", f"{C}/notes"): at(C + "/notes", {"text": "Darker", "task_id": "{task}"}),
        ("GET", f"{C}/notes/{{note_id}}"): fresh_note(C + "/notes/{fresh}"),
        ("PATCH", f"{C}/notes/{{note_id}}"): fresh_note(C + "/notes/{fresh}", {"text": "Lighter"}),
        ("DELETE", f"{C}/notes/{{note_id}}"): fresh_note(C + "/notes/{fresh}"),
        ("GET", f"{C}/projects/{{project_id}}/progress"): at(C + "/projects/{project}/progress"),
        ("GET", f"{C}/projects/{{project_id}}/review-inbox"): at(C + "/projects/{project}/review-inbox"),
    }
)


def _fill(value: object, world: World) -> object:
    """Ids named in a body ("{task}") become the world's ids."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return {**world.ids, **{f"user_{k}": v for k, v in world.users.items()}}[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def allowed(rule: str, role: str) -> bool:
    if role == "admin":
        return True
    if role == "outsider":
        return False
    return ProjectRole(role) in PERMISSIONS[Operation(rule)]


async def test_project_routes_answer_404_to_non_members_403_to_roles_without_the_right(
    services: Services,
) -> None:
    world = await build_world(services)
    studio = await world.post("studios", {"name": world.unique("Studio")})
    world.ids["studio"] = int(studio["id"])  # type: ignore[call-overload]
    client = world.catalog
    for (method, route), case in CASES.items():
        rule = MATRIX[(method, route)]
        if rule == "project.schedule":
            await _check_schedule(world)
            continue
        for role in LADDER:
            path, body = await case(world)
            response = await client.request(
                method, path, json=_fill(body, world), headers=world.headers[role]
            )
            if allowed(rule, role):
                assert response.status_code < 300, (method, route, role, response.text)
                break
            expected = 404 if role == "outsider" else 403
            if route.endswith("/bulk") and role == "outsider":
                # A batch answers 422 with one problem per item: the hidden tasks are not found.
                assert response.status_code == 422, response.text
                assert {e["status"] for e in response.json()["errors"]} == {404}, response.text
                continue
            assert response.status_code == expected, (
                method,
                route,
                role,
                response.status_code,
                response.text,
            )


async def _check_schedule(world: World) -> None:
    """Scheduling named projects needs the producer role in each; the whole studio needs an admin."""
    url = f"{C}/studios/{world.ids['studio']}/schedule"
    mine = {"project_ids": [world.ids["project"]]}
    for role, expected in (("outsider", 404), ("viewer", 403), ("lead", 403)):
        response = await world.catalog.post(url, json=mine, headers=world.headers[role])
        assert response.status_code == expected, (role, response.text)
    whole = await world.catalog.post(url, json={}, headers=world.headers["producer"])
    assert whole.status_code == 403
    accepted = await world.catalog.post(url, json=mine, headers=world.headers["producer"])
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()["id"]
    job_url = f"{C}/schedule-jobs/{job}"
    assert (await world.catalog.get(job_url, headers=world.headers["outsider"])).status_code == 404
    assert (await world.catalog.get(job_url, headers=world.headers["viewer"])).status_code == 200
    for role in ("outsider", "viewer", "producer"):
        jobs = (await world.catalog.get(f"{C}/schedule-jobs", headers=world.headers[role])).json()["items"]
        assert [j["id"] for j in jobs] == ([] if role == "outsider" else [job]), role
    assert (
        await world.catalog.post(f"{job_url}/cancel", headers=world.headers["outsider"])
    ).status_code == 404
    assert (await world.catalog.post(f"{job_url}/cancel", headers=world.headers["lead"])).status_code == 403
    cancelled = await world.catalog.post(f"{job_url}/cancel", headers=world.headers["producer"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "failed"
    # A what-if run's scenario: seen like its job, applied or dropped by whoever may request the run.
    imagined = await world.catalog.post(url, json={**mine, "what_if": {}}, headers=world.headers["producer"])
    assert imagined.status_code == 202, imagined.text
    job_url = f"{C}/schedule-jobs/{imagined.json()['id']}"
    assert (
        await world.catalog.get(f"{job_url}/scenario", headers=world.headers["outsider"])
    ).status_code == 404
    seen = await world.catalog.get(f"{job_url}/scenario", headers=world.headers["viewer"])
    assert seen.status_code == 200 and seen.json()["status"] == "pending"
    for action in ("apply", "drop"):
        for role, expected in (("outsider", 404), ("viewer", 403), ("lead", 403), ("producer", 409)):
            response = await world.catalog.post(f"{job_url}/{action}", headers=world.headers[role])
            assert response.status_code == expected, (action, role, response.text)
    await world.catalog.post(f"{job_url}/cancel", headers=world.headers["producer"])


async def test_lists_leave_out_projects_the_caller_is_not_in(services: Services) -> None:
    world = await build_world(services)
    for path in ("projects", "tasks", "shots", "assets", "sequences", "scenes"):
        seen = await world.catalog.get(f"{C}/{path}?limit=1000", headers=world.headers["outsider"])
        assert seen.status_code == 200
        mine = [i for i in seen.json()["items"] if world.ids["project"] in (i.get("project_id"), i.get("id"))]
        assert (
            mine == []
            if path != "projects"
            else [p["code"] for p in seen.json()["items"]] == [world.codes["other"]]
        )
        member = await world.catalog.get(f"{C}/{path}?limit=1000", headers=world.headers["viewer"])
        assert member.json()["total"] >= 1, path
    me = await world.catalog.get(f"{C}/auth/me", headers=world.headers["lead"])
    assert me.json()["project_roles"] == {str(world.ids["project"]): "lead"}


async def test_a_lead_cannot_change_membership_and_a_removed_member_loses_access(services: Services) -> None:
    world = await build_world(services)
    url = f"{C}/projects/{world.ids['project']}"
    lead = await world.catalog.post(f"{url}/users", json={"user_id": 1}, headers=world.headers["lead"])
    assert lead.status_code == 403 and lead.json()["role"] == "lead"
    assert (await world.catalog.get(url, headers=world.headers["artist"])).status_code == 200
    removed = await world.catalog.delete(
        f"{url}/users/{world.users['artist']}", headers=world.headers["producer"]
    )
    assert removed.status_code == 204
    assert (await world.catalog.get(url, headers=world.headers["artist"])).status_code == 404
    task = await world.catalog.get(f"{C}/tasks/{world.ids['task']}", headers=world.headers["artist"])
    assert task.status_code == 404


async def test_a_deleted_or_demoted_user_loses_access_at_once(services: Services) -> None:
    world = await build_world(services)
    spare = world.users["spare"]
    url = f"{C}/projects/{world.ids['project']}"
    assert (await world.catalog.get(url, headers=world.headers["spare"])).status_code == 200
    await world.catalog.delete(f"{url}/users/{spare}", headers=world.headers["admin"])
    deleted = await world.catalog.delete(f"{C}/users/{spare}", headers=world.headers["admin"])
    assert deleted.status_code == 204, deleted.text
    gone = await world.catalog.get(f"{C}/users", headers=world.headers["spare"])
    assert gone.status_code == 401 and gone.headers["www-authenticate"] == "Bearer"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("service", ["catalog", "versions", "scheduler", "events"])
async def test_tampered_expired_and_foreign_tokens_get_401_everywhere(
    services: dict[str, tuple[Runtime, httpx.AsyncClient]], service: str
) -> None:
    runtime, client = services[service]
    url = {
        "catalog": "/catalog/v1/users",
        "versions": "/versions/v1/repositories",
        "scheduler": "/scheduler/v1/studios/1/tjp",
        "events": "/events/v1/events",
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


V = "/versions/v1"


async def _artist_version(world: World, versions: httpx.AsyncClient) -> int:
    made = await versions.post(
        f"{V}/tasks/{world.ids['task']}/versions", json={}, headers=world.headers["artist"]
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_versions_project_routes_answer_404_to_non_members_403_to_roles_without_the_right(
    services: Services,
) -> None:
    world = await build_world(services)
    versions_runtime, versions = services["versions"]
    workers = [
        ServiceWorkers(runtime) for runtime, _ in services.values() if runtime.definition.name != "scheduler"
    ]
    for worker in workers:
        await worker.start()
    try:
        await _wait_for_read_model(versions_runtime, world)
        admin = world.headers["admin"]
        repo = await versions.post(
            f"{V}/repositories",
            json={"name": world.unique("Repo"), "linux_path": f"/mnt/{world.unique('r')}"},
            headers=admin,
        )
        template = await versions.post(
            f"{V}/filename-templates",
            json={
                "name": world.unique("Tasks"),
                "target_entity_type": "Task",
                "path": "{{project.code}}/{{task.nice_name}}",
                "filename": "{{version.nice_name}}_v{{version.version_number}}",
            },
            headers=admin,
        )
        structure = await versions.post(
            f"{V}/structures",
            json={"name": world.unique("S"), "template_ids": [template.json()["id"]]},
            headers=admin,
        )
        storage = {"repository_ids": [repo.json()["id"]], "structure_id": structure.json()["id"]}
        project = world.ids["project"]
        assert (
            await versions.put(f"{V}/projects/{project}/storage", json=storage, headers=admin)
        ).status_code == 200
        world.ids["version"] = await _artist_version(world, versions)
        published = await versions.patch(
            f"{V}/versions/{world.ids['version']}", json={"is_published": True}, headers=admin
        )
        assert published.status_code == 200, published.text

        async def fresh_version(_: World) -> tuple[str, dict[str, object] | None]:
            return f"{V}/versions/{await _artist_version(world, versions)}", None

        cases: dict[tuple[str, str], Case] = {
            ("GET", f"{V}/projects/{{project_id}}"): at(V + "/projects/{project}"),
            ("GET", f"{V}/projects/{{project_id}}/directories"): at(V + "/projects/{project}/directories"),
            ("GET", f"{V}/projects/{{project_id}}/storage"): at(V + "/projects/{project}/storage"),
            ("PUT", f"{V}/projects/{{project_id}}/storage"): at(V + "/projects/{project}/storage", storage),
            ("GET", f"{V}/tasks/{{task_id}}/versions/latest"): at(V + "/tasks/{task}/versions/latest"),
            ("GET", f"{V}/tasks/{{task_id}}/versions/latest-published"): at(
                V + "/tasks/{task}/versions/latest-published"
            ),
            ("POST", f"{V}/tasks/{{task_id}}/versions"): at(V + "/tasks/{task}/versions", {}),
            ("GET", f"{V}/versions/{{version_id}}"): at(V + "/versions/{version}"),
            ("PATCH", f"{V}/versions/{{version_id}}"): at(V + "/versions/{version}", {"description": "x"}),
            ("DELETE", f"{V}/versions/{{version_id}}"): fresh_version,
        }
        project_routes = {k for k, rule in MATRIX.items() if k[1].startswith(V) and rule in OPERATIONS}
        assert project_routes == cases.keys(), "give these versions routes a boundary case"
        for (method, route), case in cases.items():
            rule = MATRIX[(method, route)]
            for role in LADDER:
                path, body = await case(world)
                response = await versions.request(method, path, json=body, headers=world.headers[role])
                if allowed(rule, role):
                    assert response.status_code < 300, (method, route, role, response.text)
                    break
                expected = 404 if role == "outsider" else 403
                assert response.status_code == expected, (
                    method,
                    route,
                    role,
                    response.status_code,
                    response.text,
                )
        # Someone else's version: an artist may not change it, a lead may.
        theirs = await versions.post(
            f"{V}/tasks/{world.ids['task']}/versions", json={}, headers=world.headers["lead"]
        )
        url = f"{V}/versions/{theirs.json()['id']}"
        assert (
            await versions.patch(url, json={"description": "y"}, headers=world.headers["artist"])
        ).status_code == 403
        assert (await versions.delete(url, headers=world.headers["artist"])).status_code == 403
        assert (
            await versions.patch(url, json={"description": "y"}, headers=world.headers["lead"])
        ).status_code == 200
        listed = await versions.get(
            f"{V}/tasks/{world.ids['task']}/versions", headers=world.headers["outsider"]
        )
        assert listed.status_code == 200 and listed.json()["items"] == []
        assert (
            await versions.get(f"{V}/tasks/{world.ids['task']}/versions", headers=world.headers["viewer"])
        ).json()["total"] >= 2
    finally:
        for worker in workers:
            await worker.stop(5)


OPERATIONS = frozenset(o.value for o in Operation)


async def _wait_for_read_model(versions_runtime: Runtime, world: World) -> None:
    """Until the versions service has heard of every project and task of the world, members included."""
    tasks = [world.ids[k] for k in ("sequence", "scene", "asset", "shot", "before", "task")]
    for _ in range(400):
        async with versions_runtime.sessionmaker() as session:
            known = [await session.get(TaskRef, t) for t in tasks]
            members = await session.scalar(
                select(func.count())
                .select_from(ProjectMember)
                .where(ProjectMember.project_id == world.ids["project"])
            )
            if all(known) and members == 5:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the versions service never heard of the world")
