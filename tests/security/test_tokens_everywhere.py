"""Issue 13's token defects, reproduced against the three services together (embedded: SQLite, the
in-process broker, the catalog's app answering the other services' questions in-process): a demoted or
deleted admin, and a token for a user id that does not exist, get nothing from any service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select

from stalker_host.embedded import embedded_runtimes
from stalker_shared.auth import Principal, issue_token
from stalker_shared.http import create_service_app
from stalker_shared.runtime import Runtime
from stalker_shared.workers import ServiceWorkers
from stalker_versions.api.common import versions_state
from stalker_versions.catalog_client import HttpCatalog
from stalker_versions.db.catalog import UserAccount

from support.catalog import Catalog

pytestmark = pytest.mark.asyncio(loop_scope="module")
Clients = dict[str, httpx.AsyncClient]
REPOSITORY = {"name": "R", "linux_path": "/mnt/r", "osx_path": "/Volumes/r", "windows_path": "R:/"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def system(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[dict[str, Runtime], Clients]]:
    runtimes = {r.definition.name: r for r in embedded_runtimes(tmp_path_factory.mktemp("services"))}
    clients: Clients = {}
    for name, runtime in runtimes.items():
        await runtime.open(migrate=True)
        app = create_service_app(runtime, manage_runtime=False)
        clients[name] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    catalog_app = httpx.ASGITransport(app=create_service_app(runtimes["catalog"], manage_runtime=False))
    versions_state(runtimes["versions"]).catalog = HttpCatalog("http://t", transport=catalog_app)
    runtimes["scheduler"].definition.state.transport = catalog_app
    try:
        yield runtimes, clients
    finally:
        for name, client in clients.items():
            await client.aclose()
            await runtimes[name].close()


def bearer(runtime: Runtime, principal: Principal) -> dict[str, str]:
    assert runtime.keys.private_pem is not None
    return {
        "Authorization": f"Bearer {issue_token(runtime.keys.private_pem, principal, timedelta(minutes=5))}"
    }


async def admin_routes(clients: Clients, headers: dict[str, str], name: str) -> list[int]:
    """One admin-only operation per service."""
    user = {"name": name, "login": name, "email": f"{name}@x.io", "password": "Tr0ub4dor&3"}
    return [
        (await clients["catalog"].post("/catalog/v1/users", json=user, headers=headers)).status_code,
        (
            await clients["versions"].post(
                "/versions/v1/repositories", json=REPOSITORY | {"name": name}, headers=headers
            )
        ).status_code,
        (await clients["scheduler"].get("/scheduler/v1/outbox/parked", headers=headers)).status_code,
    ]


async def test_a_demoted_admin_gets_nothing_more_from_any_service(
    system: tuple[dict[str, Runtime], Clients],
) -> None:
    runtimes, clients = system
    catalog = Catalog(runtimes["catalog"], clients["catalog"])
    admin = await catalog.token_for("admin")
    admins = {"name": "admins"}
    groups = (await clients["catalog"].get("/catalog/v1/groups", params=admins, headers=admin)).json()
    group = groups["items"][0]["id"]
    workers = [ServiceWorkers(runtimes[name]) for name in ("catalog", "versions")]
    for worker in workers:
        await worker.start()
    try:
        body = {"name": "Boss", "login": "boss", "email": "boss@x.io", "password": "Tr0ub4dor&3"}
        created = await clients["catalog"].post(
            "/catalog/v1/users", json=body | {"group_ids": [group]}, headers=admin
        )
        boss = created.json()["id"]
        await held_when(runtimes["versions"], boss, lambda u: u.is_admin)
        before = await catalog.token_for("boss")
        assert await admin_routes(clients, before, "first") == [201, 201, 200]

        removed = await clients["catalog"].delete(f"/catalog/v1/groups/{group}/users/{boss}", headers=admin)
        assert removed.status_code == 204
        held = await held_when(runtimes["versions"], boss, lambda u: u.token_version == 1)
        assert (held.is_admin, held.token_version) == (False, 1)
        # The old token, everywhere: refused.
        assert await admin_routes(clients, before, "second") == [401, 401, 401]
        # A new token that still claims admin rights (as if forged with the key): what the user has, none.
        claims_admin = bearer(runtimes["catalog"], Principal(boss, "boss", True, token_version=1))
        assert await admin_routes(clients, claims_admin, "third") == [403, 403, 403]

        deleted = await clients["catalog"].delete(f"/catalog/v1/users/{boss}", headers=admin)
        assert deleted.status_code == 204
        await held_when(runtimes["versions"], boss, lambda u: u.deleted)  # the tombstone
        assert await admin_routes(clients, claims_admin, "fourth") == [401, 401, 401]
    finally:
        for worker in workers:
            await worker.stop(grace=5)


async def held_when(runtime: Runtime, user_id: int, ready: Callable[[UserAccount], bool]) -> UserAccount:
    """The versions service's row of the user, once its events have brought it to `ready`."""
    for _ in range(200):
        async with runtime.sessionmaker() as session:
            held = await session.scalar(select(UserAccount).where(UserAccount.id == user_id))
        if held is not None and ready(held):
            return held
        await asyncio.sleep(0.05)
    raise AssertionError(f"the versions service never heard of user {user_id} as expected")


async def test_a_token_for_a_user_id_that_does_not_exist_is_refused_everywhere(
    system: tuple[dict[str, Runtime], Clients],
) -> None:
    runtimes, clients = system
    ghost = bearer(runtimes["catalog"], Principal(987_654, "ghost", True))
    assert await admin_routes(clients, ghost, "ghost") == [401, 401, 401]
    for name, path in (
        ("catalog", "/catalog/v1/users"),
        ("versions", "/versions/v1/repositories"),
        ("scheduler", "/scheduler/v1/outbox/parked"),
    ):
        answer = await clients[name].get(path, headers=ghost)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer", (
            name,
            answer.text,
        )
