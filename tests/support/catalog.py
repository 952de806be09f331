"""The catalog under test: its settings with a test admin and signing key, and a handle on its app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from stalker_catalog.db.models import MESSAGING
from stalker_catalog.settings import CatalogSettings
from stalker_shared.auth import generate_private_pem
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
        response = await self.client.post(
            "/catalog/v1/auth/token", data={"username": login, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

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
