"""End to end: the whole system as `make run` starts it, embedded (one process) and distributed (each
service's API and worker as separate processes over PostgreSQL and RabbitMQ, behind the gateway)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.system import SERVICES, RunningSystem
from support.system import embedded_system as start_embedded


@pytest.fixture
def system_log(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where the system under test writes its output: the shared distributed system's log, or a file of
    this test's own for a system it starts."""
    if "distributed_system" in request.fixturenames:
        return Path(request.getfixturevalue("shared_distributed_system").log)
    return tmp_path / "system.log"


def check_message_flow(base: str, log: Path) -> None:
    """A project made in the catalog reaches the versions service's read model through the broker, and
    the request's correlation id follows it into the consumer's logs."""
    correlation_id = f"e2e-{uuid.uuid4()}"
    code = f"P{uuid.uuid4().hex[:6]}"
    # Development mode: init made the admin with the password "admin".
    login = httpx.post(f"{base}/catalog/v1/auth/token", data={"username": "admin", "password": "admin"})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    created = httpx.post(
        f"{base}/catalog/v1/projects",
        json={"name": "Fancy Commercial", "code": code},
        headers={"x-correlation-id": correlation_id, "Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-correlation-id"] == correlation_id
    project_id = created.json()["id"]
    deadline = time.monotonic() + 30
    seen = None
    while time.monotonic() < deadline:
        seen = httpx.get(
            f"{base}/versions/v1/projects/{project_id}", headers={"Authorization": f"Bearer {token}"}
        )
        if seen.status_code == 200:
            break
        time.sleep(0.1)
    assert seen is not None and seen.status_code == 200, seen.text if seen else "no answer"
    assert seen.json()["code"] == code
    processed = [
        json.loads(line)
        for line in log.read_text().splitlines()
        if correlation_id in line and "message processed" in line
    ]
    queues = [line["queue"] for line in processed]
    for consumer in ("versions.catalog-events", "events.log"):  # the versions mirror, the event log
        assert any(queue.endswith(consumer) for queue in queues), queues


def check_web_app(base: str) -> None:
    """The web app answers on the same base URL: a browser at the base URL is sent to it, its sign-in
    form signs the admin in, and its first page lists the projects through the catalog."""
    assert httpx.get(f"{base}/", headers={"Accept": "text/html"}).headers["location"] == "/web/"
    assert "location" not in httpx.get(f"{base}/").headers  # API clients are not redirected
    with httpx.Client(base_url=base, follow_redirects=True) as browser:
        form = browser.get("/web/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        signed_in = browser.post(
            "/web/login", data={"csrf_token": csrf[1], "login": "admin", "password": "admin", "next": "/web/"}
        )
        assert signed_in.status_code == 200 and str(signed_in.url).endswith("/web/")
        assert "Fancy Commercial" in signed_in.text  # the project check_message_flow made
        # A page script's change through the gateway (which passes another Host on) is not taken for
        # another site's: with the token it reaches the catalog, without it it is refused.
        project = re.search(r'href="/web/projects/(\d+)"', signed_in.text)
        token = re.search(r'name="csrf-token" content="([^"]+)"', signed_in.text)
        assert project is not None and token is not None
        path = f"/web/api/projects/{project[1]}/schedule"
        origin = {"Origin": base, "Sec-Fetch-Site": "same-origin"}
        assert browser.post(path, headers=origin).status_code == 403
        assert browser.post(path, headers={**origin, "X-CSRF-Token": token[1]}).status_code in (202, 409)


@pytest.fixture
def embedded_system(tmp_path: Path, system_log: Path) -> Iterator[str]:
    with start_embedded(tmp_path / "data", system_log) as base:
        yield base


def test_embedded_system_serves_all_services_on_one_base_url(embedded_system: str, system_log: Path) -> None:
    index = httpx.get(embedded_system + "/").json()
    assert index["mode"] == "embedded"
    for service in SERVICES:
        assert httpx.get(f"{embedded_system}/{service}/healthz").json()["service"] == service
        # The first OpenAPI document is built on request: seconds on a loaded machine.
        assert httpx.get(f"{embedded_system}/{service}/openapi.json", timeout=60).status_code == 200
    check_message_flow(embedded_system, system_log)
    check_web_app(embedded_system)


@pytest.fixture
def distributed_system(shared_distributed_system: RunningSystem) -> tuple[str, int]:
    return shared_distributed_system.base, shared_distributed_system.port


@pytest.mark.xdist_group("e2e_distributed")
def test_distributed_services_run_as_separate_processes_behind_one_base_url(
    distributed_system: tuple[str, int], system_log: Path
) -> None:
    base, port = distributed_system
    for index, service in enumerate(SERVICES):
        ready = httpx.get(f"{base}/{service}/readyz").json()
        assert ready["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok", "relay": "ok"}
        worker = f"http://127.0.0.1:{port + 2 + 2 * index}"
        assert httpx.get(f"{worker}/healthz").json()["service"] == service
        assert httpx.get(f"{worker}/readyz").status_code == 200
        assert "stalker_consumer_messages_total" in httpx.get(f"{worker}/metrics").text
    check_message_flow(base, system_log)
    check_web_app(base)
    assert httpx.get(f"{base}/nowhere").status_code == 404
