"""Where the test servers are: the environment first, then the conventional local servers, then
testcontainers where a Docker engine answers. With CI=true a missing server fails the test."""

from __future__ import annotations

import atexit
import functools
import os
import socket
from urllib.parse import urlsplit

import pytest

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@functools.cache
def postgres_url() -> str | None:
    """A PostgreSQL server URL (libpq form, database `postgres`) or None."""
    if url := os.environ.get("STALKER_TEST_POSTGRES_URL"):
        return url
    if _reachable(LOCAL_POSTGRES):
        return LOCAL_POSTGRES
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:15.8-alpine", driver=None)
        container.start()
        atexit.register(container.stop)
        return str(container.get_connection_url())
    return None


@functools.cache
def amqp_url() -> str | None:
    if url := os.environ.get("STALKER_TEST_AMQP_URL"):
        return url
    if _reachable(LOCAL_AMQP):
        return LOCAL_AMQP
    if _docker_answers():
        from testcontainers.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer("rabbitmq:3.10.25-management-alpine")
        container.start()
        atexit.register(container.stop)
        host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
        return f"amqp://guest:guest@{host}:{port}/"
    return None


def require(url: str | None, what: str) -> str:
    if url is not None:
        return url
    reason = (
        f"no {what}: set STALKER_TEST_{what.upper()}_URL, run one on its default local port, "
        "or start a Docker engine for testcontainers"
    )
    if in_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)
