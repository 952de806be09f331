"""The versions service checks every token against the user as the catalog's user events left it (issue 13:
it took admin rights from the token, so a demoted admin kept them until the token expired, and a token for a
user id that does not exist was accepted). On PostgreSQL and on SQLite."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from stalker_shared.auth import Principal
from stalker_shared.contracts.catalog import UserCreated, UserDeleted, UserUpdated
from stalker_versions.catalog_client import HttpCatalog
from stalker_versions.db.access import CatalogCaller, UnknownCaller
from stalker_versions.db.catalog import UserAccount

from support.versions import VersionsService, bearer, project_created

BOSS = Principal(user_id=21, login="boss", is_admin=True)
REPOSITORY = {"name": "R", "linux_path": "/mnt/r", "osx_path": "/Volumes/r", "windows_path": "R:/"}


def user_state(event: type[UserCreated] | type[UserUpdated], revision: int, **fields: object) -> UserCreated:
    state = {"id": BOSS.user_id, "name": "Boss", "login": "boss", "email": "b@x.io", "revision": revision}
    return event(**state | fields)  # type: ignore[return-value]


async def create_repository(service: VersionsService, principal: Principal, name: str) -> httpx.Response:
    body = REPOSITORY | {"name": name}
    return await service.client.post("/versions/v1/repositories", json=body, headers=bearer(principal))


async def refused(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 401, response.text
    assert detail in response.json()["detail"] and response.headers["www-authenticate"] == "Bearer"


async def test_admin_rights_come_from_the_users_state_not_the_token(service: VersionsService) -> None:
    assert (await service.deliver(user_state(UserCreated, 1, is_admin=True))).outcome == "ack"
    assert (await create_repository(service, BOSS, "R1")).status_code == 201
    # Demoted in the catalog (which also bumps the token version): the old token is refused outright.
    assert (
        await service.deliver(user_state(UserUpdated, 2, is_admin=False, token_version=1))
    ).outcome == "ack"
    await refused(await create_repository(service, BOSS, "R2"), "revoked")
    # A new token still claiming admin rights (at the new version) gets what the user has now: none.
    claims_admin = Principal(BOSS.user_id, "boss", True, token_version=1)
    answer = await create_repository(service, claims_admin, "R3")
    assert answer.status_code == 403 and answer.json()["operation"] == "studio.admin"
    assert service.catalog.caller_calls == []  # the events told it all: the catalog was never asked


async def test_a_deleted_user_is_refused_without_asking_the_catalog(service: VersionsService) -> None:
    await service.deliver(user_state(UserCreated, 1, is_admin=True))
    await service.deliver(UserDeleted(id=BOSS.user_id, revision=2))
    await refused(await create_repository(service, BOSS, "R1"), "no longer exists")
    # A late, older state does not bring the user back.
    await service.deliver(user_state(UserUpdated, 1, is_admin=True))
    await refused(await create_repository(service, BOSS, "R1"), "no longer exists")
    assert service.catalog.caller_calls == []


async def test_a_deactivated_user_is_refused(service: VersionsService) -> None:
    await service.deliver(user_state(UserCreated, 1, active=False))
    await refused(await create_repository(service, BOSS, "R1"), "deactivated")


async def test_a_user_not_heard_of_is_checked_with_the_catalog(service: VersionsService) -> None:
    """Before the user's first event: the catalog's word for this request (it checks the token against
    its own rows); a user it does not know gets 401 here too."""
    assert (await create_repository(service, BOSS, "R1")).status_code == 201
    assert service.catalog.caller_calls == [BOSS.user_id]
    ghost = Principal(user_id=999_999, login="ghost", is_admin=True)
    service.catalog.refused_users.add(ghost.user_id)
    await refused(await create_repository(service, ghost, "R2"), "refused")
    unreachable = Principal(user_id=31, login="new", is_admin=False)
    service.catalog.callers_reachable = False
    answer = await service.client.get("/versions/v1/repositories", headers=bearer(unreachable))
    assert answer.status_code == 503  # not let in on the token's word


async def test_a_token_newer_than_the_state_held_asks_the_catalog(service: VersionsService) -> None:
    """A new password, then a login at the new version, before the event arrived."""
    await service.deliver(user_state(UserCreated, 1, is_admin=True))
    newer = Principal(BOSS.user_id, "boss", True, token_version=1)
    assert (await create_repository(service, newer, "R1")).status_code == 201
    assert service.catalog.caller_calls == [BOSS.user_id]
    await service.deliver(user_state(UserUpdated, 2, is_admin=True, token_version=1))
    assert (await create_repository(service, newer, "R2")).status_code == 201
    assert service.catalog.caller_calls == [BOSS.user_id]  # the event arrived: no more questions
    async with service.runtime.sessionmaker() as session:
        held = await session.scalar(select(UserAccount).where(UserAccount.id == BOSS.user_id))
        assert held is not None and (held.token_version, held.revision, held.is_admin) == (1, 2, True)


async def test_a_logged_out_token_is_refused_by_the_routes_with_units_of_their_own(
    service: VersionsService,
) -> None:
    """The routes that open their own units of work (versions, storage) check the token the same way."""
    assert (await service.deliver(project_created(1, "P", "P"))).outcome == "ack"
    await service.deliver(user_state(UserCreated, 1, is_admin=True))
    await service.deliver(user_state(UserUpdated, 2, is_admin=True, token_version=3))
    created = await service.client.post("/versions/v1/tasks/1/versions", json={}, headers=bearer(BOSS))
    await refused(created, "revoked")
    storage = await service.client.put(
        "/versions/v1/projects/1/storage", json={"repository_ids": []}, headers=bearer(BOSS)
    )
    await refused(storage, "revoked")


async def test_a_user_state_without_the_new_fields_still_reads(service: VersionsService) -> None:
    """The fields are additive in v1: a state from a producer that predates them reads with the defaults
    (not an admin, active, version 0)."""
    old = {"id": BOSS.user_id, "revision": 1, "name": "Boss", "login": "boss", "email": "b@x.io"}
    state = UserCreated.model_validate(old)
    assert (state.is_admin, state.active, state.token_version) == (False, True, 0)
    assert (await service.deliver(state)).outcome == "ack"
    answer = await create_repository(service, BOSS, "R1")  # the token claims admin; the state does not
    assert answer.status_code == 403


async def test_the_catalogs_word_on_a_caller_is_asked_once_per_token_for_a_while() -> None:
    """Users of a studio older than the table are not in it until their next change: the catalog is asked
    about each token once per CALLER_TTL_SECONDS, not on every request; a refusal is never kept."""
    asked: list[str] = []

    def catalog(request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        asked.append(token)
        if token == "revoked":
            return httpx.Response(401, json={"detail": "revoked"})
        return httpx.Response(200, json={"id": 7, "login": "ann", "is_admin": False, "project_roles": {}})

    lookup = HttpCatalog("http://catalog", transport=httpx.MockTransport(catalog))
    assert await lookup.caller("good") == CatalogCaller(7, "ann", False)
    assert await lookup.caller("good") == CatalogCaller(7, "ann", False)
    for _ in range(2):
        with pytest.raises(UnknownCaller):
            await lookup.caller("revoked")
    assert asked == ["good", "revoked", "revoked"]
