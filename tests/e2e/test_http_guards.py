"""What every HTTP answer of the system carries, in both modes (the embedded process, and the distributed
services behind the dev gateway), over real sockets: the security headers, a 413 with problem details
for a request body over the limit (declared or streamed in chunks), and API docs pages that load
nothing from outside the system."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.system import SERVICES, RunningSystem
from support.system import embedded_system as start_embedded

LIMIT = 1024 * 1024  # the default of max_body_bytes
BULK_LIMIT = 10 * 1024 * 1024  # the default of max_bulk_body_bytes
WRITE_ROUTES = {
    "catalog": "/catalog/v1/projects",
    "versions": "/versions/v1/repositories",
    "scheduler": "/scheduler/v1/studios/1/tjp",
}


@pytest.fixture(scope="module")
def embedded_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("guards")
    with start_embedded(folder / "data", folder / "system.log") as base:
        yield base


# Each mode's tests on one xdist worker: the embedded system starts once, the distributed one is shared.
@pytest.fixture(
    params=[
        pytest.param("embedded", marks=pytest.mark.xdist_group("e2e_embedded_guards")),
        pytest.param("distributed", marks=pytest.mark.xdist_group("e2e_distributed")),
    ]
)
def base(request: pytest.FixtureRequest) -> str:
    if request.param == "embedded":
        return str(request.getfixturevalue("embedded_base"))
    system: RunningSystem = request.getfixturevalue("shared_distributed_system")
    return system.base


def assert_guarded(response: httpx.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), where


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body streamed in chunks, with no Content-Length (chunked transfer encoding)."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413 and problem["limit"] == limit
    assert str(limit) in problem["detail"]
    assert_guarded(response)


@pytest.mark.parametrize("service", SERVICES)
def test_every_answer_carries_the_security_headers(base: str, service: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:  # the first OpenAPI document is built on request
        answers = [
            client.get(f"/{service}/healthz"),
            client.get(f"/{service}/openapi.json"),
            client.get(f"/{service}/docs"),
            client.get(f"/{service}/v1/no-such-route"),
            client.get(WRITE_ROUTES[service]),  # no token: 401
            client.post(WRITE_ROUTES[service], json={}),
            client.get("/"),  # the embedded index, or the gateway's own 404
            client.get("/nowhere"),
        ]
    assert {a.status_code for a in answers} >= {200, 401, 404}
    for answer in answers:
        assert_guarded(answer)
    docs = answers[2]
    assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"  # the page runs Swagger UI
    assert "default-src 'none'" in answers[0].headers["content-security-policy"]  # JSON loads nothing


@pytest.mark.parametrize("service", SERVICES)
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(base: str, service: str) -> None:
    url = base + WRITE_ROUTES[service]
    declared = httpx.post(url, content=b"x" * (LIMIT + 1), headers={"content-type": "application/json"})
    assert_too_large(declared, LIMIT)


@pytest.mark.parametrize("service", ["catalog", "versions"])  # the scheduler reads no request body
def test_a_streamed_body_is_refused_once_it_passes_the_limit(base: str, service: str) -> None:
    url = base + WRITE_ROUTES[service]
    streamed = httpx.post(url, content=chunks(8 * LIMIT), headers={"content-type": "application/json"})
    assert "content-length" not in streamed.request.headers
    assert_too_large(streamed, LIMIT)
    within = httpx.post(url, content=b"{}" + b" " * (LIMIT - 2), headers={"content-type": "application/json"})
    assert within.status_code != 413


def test_the_bulk_route_takes_larger_bodies_up_to_its_own_limit(base: str) -> None:
    url = f"{base}/catalog/v1/tasks/bulk"
    large = httpx.post(url, content=chunks(4 * LIMIT), headers={"content-type": "application/json"})
    assert large.status_code == 422, large.text  # read whole and parsed: not JSON
    assert large.json()["errors"][0]["type"] == "json_invalid"
    over = httpx.post(url, content=chunks(BULK_LIMIT + 1), headers={"content-type": "application/json"})
    assert_too_large(over, BULK_LIMIT)


@pytest.mark.parametrize("service", SERVICES)
def test_the_docs_page_loads_nothing_from_outside(base: str, service: str) -> None:
    with httpx.Client(base_url=base) as client:
        page = client.get(f"/{service}/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        assert not re.search(r"https?:|=\s*[\"']//", html), re.findall(r"https?://\S+", html)
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert {Path(a).suffix for a in assets} >= {".js", ".css"}, assets
        for asset in [*assets, f"/{service}/openapi.json", f"/{service}/docs/oauth2-redirect"]:
            assert asset.startswith(f"/{service}/"), asset
            fetched = client.get(asset)
            assert fetched.status_code == 200, asset
            assert_guarded(fetched)
        assert "SwaggerUIBundle" in client.get(next(a for a in assets if a.endswith(".js"))).text
        assert '"validatorUrl": null' in html  # no badge fetched from a public validator
