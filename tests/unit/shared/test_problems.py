"""Database failures as problems: a transaction PostgreSQL ended for a concurrent one is a 409 to retry,
any other database failure stays the server's."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from stalker_shared.problems import install_problem_handlers


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


def _app(sqlstate: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/write")
    async def write() -> None:
        raise DBAPIError("INSERT ...", {}, _DriverError(sqlstate))

    return app


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
async def test_a_transaction_ended_for_a_concurrent_one_is_a_conflict(sqlstate: str) -> None:
    transport = httpx.ASGITransport(app=_app(sqlstate))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/write")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "retry" in response.json()["detail"]


async def test_another_database_failure_is_not_dressed_as_a_conflict() -> None:
    transport = httpx.ASGITransport(app=_app("53300"), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/write")
    assert response.status_code == 500
