"""The broker users: deploy/rabbitmq/users.json is generated from the topology in code; provision.py loads
topology and users through the management API (against a recording fake); and on a real RabbitMQ each
service's user can do exactly its job with `declare_topology` off (publish to its exchange, consume and
dead-letter its queues) and nothing else (declare, delete, read or write another service's resources)."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlsplit

import aio_pika
import aiormq
import pytest

from stalker_shared.messaging import (
    InMemoryBroker,
    InMemoryTransport,
    OutgoingMessage,
    RabbitTransport,
    Topology,
    rabbitmq_definitions,
)
from stalker_shared.messaging.access import rabbitmq_users, service_permissions
from stalker_shared.messaging.queues import stalker_topology
from stalker_shared.messaging.transport import Delivery
from stalker_shared.runtime import Runtime
from stalker_shared.settings import ServiceSettings

from support.brokers import eventually
from support.deployment import ROOT, SERVICES
from support.probe import probe_definition, probe_topology

USERS_FILE = ROOT / "deploy/rabbitmq/users.json"


def test_the_committed_users_are_generated_from_the_topology() -> None:
    # Regenerate with `make definitions`.
    assert json.loads(USERS_FILE.read_text()) == rabbitmq_users(stalker_topology())


def _grants(pattern: str, name: str) -> bool:
    """RabbitMQ's reading of a permission pattern (the empty one matches nothing)."""
    return bool(pattern) and re.search(pattern, name) is not None


def test_no_service_may_configure_and_each_reads_only_its_own_queues() -> None:
    topology = stalker_topology()
    for svc in SERVICES:
        permissions = service_permissions(topology, svc)
        assert permissions["configure"] == ""  # RabbitMQ: matches nothing
        for spec in topology.queues:
            consumer = spec.name.split(".")[0]
            assert _grants(permissions["read"], spec.name) == (consumer == svc)
            assert not _grants(permissions["read"], spec.dead_letter_queue)
        for exchange in topology.exchanges:
            assert _grants(permissions["write"], exchange) == (exchange == svc)
        assert _grants(permissions["write"], "amq.default")  # dead-lettering publishes a copy
    # A namespaced deployment scopes the same rules to its own names.
    assert service_permissions(stalker_topology("team1."), "scheduler")["read"] == (
        r"^(team1\.scheduler\.schedule-requests)$"
    )


class CountingTransport(InMemoryTransport):
    def __init__(self) -> None:
        super().__init__(InMemoryBroker())
        self.declared = 0

    async def declare(self, topology: Topology) -> None:
        self.declared += 1
        await super().declare(topology)


@pytest.mark.parametrize("declare", [True, False])
async def test_a_service_declares_the_topology_only_when_told_to(declare: bool, tmp_path: Path) -> None:
    """The deployments load the topology beforehand and turn declaring off: users need no `configure`."""
    transport = CountingTransport()
    settings = ServiceSettings(service_name="probe", data_dir=tmp_path, declare_topology=declare)
    runtime = Runtime(probe_definition(), settings, transport, topology=probe_topology(""))
    await runtime.open(migrate=False)
    try:
        assert transport.declared == int(declare)
    finally:
        await runtime.close()


# --- provision.py against a recording management API ---------------------------------------------------


def _provision_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stalker_provision", ROOT / "deploy/rabbitmq/provision.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeManagement:
    """Records each call; answers 2xx, or 401 for a wrong password."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
                if auth != "admin:right":
                    self.send_response(401)
                    self.end_headers()
                    return
                recorder.calls.append((self.command, self.path, body))
                self.send_response(200 if self.command == "GET" else 204)
                self.end_headers()

            do_GET = do_PUT = do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeManagement:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def management() -> Iterator[FakeManagement]:
    with FakeManagement() as fake:
        yield fake


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {
        "RABBITMQ_MANAGEMENT_URL": url,
        "RABBITMQ_ADMIN_USER": "admin",
        "RABBITMQ_ADMIN_PASSWORD": "right",
        "RABBITMQ_WAIT_SECONDS": "0",
    }
    env.update({f"STALKER_{svc.upper()}_AMQP_PASSWORD": f"pw-{svc}" for svc in SERVICES})
    env.update(extra)
    return env


def test_provision_loads_the_topology_then_each_user_and_its_permissions(management: FakeManagement) -> None:
    assert _provision_module().main(_env(management.url)) == 0
    calls = management.calls
    assert calls[0][:2] == ("GET", "/api/overview")
    assert calls[1][:2] == ("PUT", "/api/vhosts/%2F")
    assert calls[2] == ("POST", "/api/definitions", rabbitmq_definitions(stalker_topology()))
    users = json.loads(USERS_FILE.read_text())
    for svc in SERVICES:
        assert ("PUT", f"/api/users/stalker-{svc}", {"password": f"pw-{svc}", "tags": ""}) in calls
    for permission in users["permissions"]:
        body = {key: permission[key] for key in ("configure", "write", "read")}
        assert ("PUT", f"/api/permissions/%2F/{permission['user']}", body) in calls
    assert len(calls) == 3 + 2 * len(SERVICES)


def test_provision_writes_nothing_when_a_password_is_missing(
    management: FakeManagement, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _env(management.url)
    del env["STALKER_SCHEDULER_AMQP_PASSWORD"]
    assert _provision_module().main(env) == 1
    assert [c[0] for c in management.calls] == ["GET"]
    assert "STALKER_SCHEDULER_AMQP_PASSWORD is not set" in capsys.readouterr().err


def test_provision_fails_on_a_refused_call(
    management: FakeManagement, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _provision_module().main(_env(management.url, RABBITMQ_ADMIN_PASSWORD="wrong")) == 1
    assert "HTTP 401" in capsys.readouterr().err


# --- on a real RabbitMQ -----------------------------------------------------------------------------------


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def broker_vhost(amqp_server: str) -> Iterator[tuple[str, str]]:
    """A fresh vhost on the test broker, managed with rabbitmqctl; yields (base URL, vhost)."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not installed: users cannot be created on the test broker")
    try:
        _rabbitmqctl("status")
    except subprocess.CalledProcessError:
        pytest.skip("rabbitmqctl cannot reach the test broker (another host or no Erlang cookie)")
    vhost = f"stalker-users-{uuid.uuid4().hex[:8]}"
    admin = urlsplit(amqp_server).username or "guest"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, admin, ".*", ".*", ".*")
        yield amqp_server, vhost
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def _url(base: str, vhost: str, user: str | None = None, password: str | None = None) -> str:
    parts = urlsplit(base)
    credentials = f"{user}:{password}" if user else parts.netloc.rpartition("@")[0]
    return f"{parts.scheme}://{credentials}@{parts.hostname}:{parts.port or 5672}/{quote(vhost, safe='')}"


ROUTING_KEYS = {
    "catalog": "catalog.schedule.requested.v1",
    "versions": "versions.version.created.v1",
    "scheduler": "scheduler.schedule.completed.v1",
}


async def _refused(url: str, action: str, target: str) -> bool:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        if action == "declare":
            await channel.declare_queue(target, durable=True, arguments={"x-queue-type": "quorum"})
        elif action == "delete":
            await channel.queue_delete(target)
        elif action == "consume":

            async def ignore(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                pass

            queue = await channel.get_queue(target, ensure=True)
            await queue.consume(ignore)
        elif action == "publish":
            exchange = await channel.get_exchange(target, ensure=True)
            await exchange.publish(aio_pika.Message(b"{}"), routing_key=f"{target}.x.y.v1")
    except aiormq.exceptions.ChannelAccessRefused:
        return True
    finally:
        await connection.close()
    return False


@pytest.mark.rabbitmq
async def test_each_service_user_does_its_job_and_nothing_else(broker_vhost: tuple[str, str]) -> None:
    base, vhost = broker_vhost
    topology = stalker_topology()
    admin = RabbitTransport(_url(base, vhost), connection_name="test-admin")
    await admin.connect()
    await admin.declare(topology)  # what provision.py loads from definitions.json
    suffix = uuid.uuid4().hex[:6]
    users = json.loads(USERS_FILE.read_text())
    try:
        for user, permission in zip(users["users"], users["permissions"], strict=True):
            name = f"{user['name']}-{suffix}"
            _rabbitmqctl("add_user", name, f"pw-{suffix}")
            _rabbitmqctl(
                "set_permissions",
                "-p",
                vhost,
                name,
                permission["configure"],
                permission["write"],
                permission["read"],
            )
        for svc in SERVICES:
            url = _url(base, vhost, f"stalker-{svc}-{suffix}", f"pw-{suffix}")
            await _can_do_its_job(svc, url, admin, _url(base, vhost))
            own = [q.name for q in topology.queues if q.name.startswith(f"{svc}.")]
            others = [q.name for q in topology.queues if not q.name.startswith(f"{svc}.")]
            assert await _refused(url, "declare", f"{svc}.new-queue")
            assert await _refused(url, "delete", own[0] if own else others[0])
            for queue in others:
                assert await _refused(url, "consume", queue)
            for exchange in set(topology.exchanges) - {svc}:
                assert await _refused(url, "publish", exchange)
    finally:
        await admin.close()
        _delete_users([f"{user['name']}-{suffix}" for user in users["users"]])


def _delete_users(names: list[str]) -> None:
    for name in names:
        subprocess.run(["rabbitmqctl", "-q", "delete_user", name], capture_output=True, timeout=60)


async def _can_do_its_job(svc: str, url: str, admin: RabbitTransport, admin_url: str) -> None:
    """The service's own code path, as its user: publish confirmed to its exchange (a service that only
    consumes, like events, has none); consume its queue and dead-letter a message into `<queue>.dlq` (a
    publish through the default exchange)."""
    transport = RabbitTransport(url, connection_name=f"test-{svc}", connect_timeout=10)
    await transport.connect()
    try:
        if svc in stalker_topology().exchanges:
            await _publish_to_own_exchange(transport, svc)
        for spec in [q for q in stalker_topology().queues if q.name.startswith(f"{svc}.")]:
            await _consume_and_dead_letter(transport, admin, admin_url, spec.name)
    finally:
        await transport.close()


async def _publish_to_own_exchange(transport: RabbitTransport, svc: str) -> None:
    await transport.publish(
        OutgoingMessage(
            exchange=svc,
            routing_key=ROUTING_KEYS[svc],
            body=b"{}",
            message_id=str(uuid.uuid4()),
            correlation_id="test",
            type=ROUTING_KEYS[svc],
            headers={},
        )
    )


async def _consume_and_dead_letter(
    transport: RabbitTransport, admin: RabbitTransport, admin_url: str, queue: str
) -> None:
    handled: list[str] = []

    async def dead_letter(delivery: Delivery) -> None:
        await delivery.dead_letter("checked by the permissions test")
        handled.append(delivery.message_id or "")

    async def done() -> bool:
        return bool(handled)

    await admin.publish_to_queue(queue, aio_pika.Message(b"{}", message_id=f"m-{queue}"))
    consumption = await transport.consume(queue, dead_letter, prefetch=1)
    await eventually(done, timeout=20, what=f"a message consumed from {queue} and dead-lettered")
    await consumption.cancel()
    # The copy with the reason reached `<queue>.dlq` (the admin reads it back).
    connection = await aio_pika.connect(admin_url)
    try:
        channel = await connection.channel()
        dlq = await channel.get_queue(f"{queue}.dlq", ensure=True)
        message = await dlq.get(timeout=5, fail=True)
        assert (
            message is not None
            and message.headers["x-dead-letter-reason"] == "checked by the permissions test"
        )
        await message.ack()
    finally:
        await connection.close()
