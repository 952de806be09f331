"""The catalog under test: its settings with a test admin and signing key, and a handle on its app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from stalker_catalog.db.access import ADMINS
from stalker_catalog.db.models import MESSAGING, User
from stalker_catalog.security import access_token
from stalker_catalog.settings import CatalogSettings
from stalker_shared.auth import Principal, generate_private_pem
from stalker_shared.runtime import Runtime

ADMIN_PASSWORD = "admin-secret"
PRIVATE_KEY = generate_private_pem()


def catalog_settings(database_url: str, data_dir: Path) -> CatalogSettings:
    return CatalogSettings(
        database_url=database_url,
        data_dir=data_dir,
        admin_password=SecretStr(ADMIN_PASSWORD),
        jwt_private_key=SecretStr(PRIVATE_KEY),
        outbox_poll_interval=0.05,
    )


@dataclass
class Catalog:
    runtime: Runtime
    client: httpx.AsyncClient

    async def login(self, login: str, password: str) -> dict[str, str]:
        """Headers with the token of a real password login (for the tests of logging in itself)."""
        response = await self.client.post(
            "/catalog/v1/auth/token", data={"username": login, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def token_for(self, login: str) -> dict[str, str]:
        """Headers with the token a login of this user would get, minted with the catalog's own key and
        claims (id, login, admin by group) without checking a password: an Argon2 check costs ~0.1 s of
        CPU, so tests whose subject is not logging in use this."""
        async with self.runtime.sessionmaker() as session:
            user = await session.scalar(
                select(User).where(User.login == login).options(selectinload(User.groups))
            )
            assert user is not None, f"no user {login!r}"
            principal = Principal(
                user.id, user.login, any(g.name == ADMINS for g in user.groups), user.token_version
            )
        settings = self.runtime.settings
        assert isinstance(settings, CatalogSettings) and self.runtime.keys.private_pem is not None
        token = access_token(self.runtime.keys.private_pem, principal, settings.access_token_minutes)
        return {"Authorization": f"Bearer {token}"}

    async def events(self) -> list[dict[str, Any]]:
        """Every message written to the outbox so far, oldest first (envelopes as dicts)."""
        async with self.runtime.sessionmaker() as session:
            bodies = await session.scalars(select(MESSAGING.outbox.c.body).order_by(MESSAGING.outbox.c.id))
            return [json.loads(b) for b in bodies]

    async def event_types(self) -> list[str]:
        return [e["type"] for e in await self.events()]


API = "/catalog/v1"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have this status."""
    assert response.status_code == status, response.text
    return response.json()


async def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem details of an error response that must have this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


async def project(client: httpx.AsyncClient, code: str = "FC", **extra: Any) -> int:
    body = {"name": f"Project {code}", "code": code, **extra}
    return int((await ok(await client.post(f"{API}/projects", json=body), 201))["id"])


async def task(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    return dict(await ok(await client.post(f"{API}/tasks", json=body), 201))
