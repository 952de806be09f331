"""Load the Stalker broker topology and the per-service users into RabbitMQ, through its management API.

A one-shot step (docker compose service `rabbitmq-provision`, Kubernetes Job `rabbitmq-provision`), run
from the catalog image: python /opt/stalker/rabbitmq/provision.py. Standard library only, idempotent (run
it again to rotate passwords), and it exits non-zero on the first failure so nothing depends on a
half-provisioned broker.

Environment:
  RABBITMQ_MANAGEMENT_URL     e.g. http://rabbitmq:15672
  RABBITMQ_ADMIN_USER         a user with the administrator tag
  RABBITMQ_ADMIN_PASSWORD
  STALKER_<SERVICE>_AMQP_PASSWORD   one per service user, named in users.json
  STALKER_BROKER_DEFINITIONS  default: definitions.json beside this file (exchanges, queues, policies)
  STALKER_BROKER_USERS        default: users.json beside this file (users, permissions)
  RABBITMQ_WAIT_SECONDS       how long to wait for the management API (default 120)
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent


class ProvisionError(Exception):
    pass


class Management:
    """The few calls of RabbitMQ's management HTTP API this needs."""

    def __init__(self, url: str, user: str, password: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ProvisionError(f"RABBITMQ_MANAGEMENT_URL must be an http(s) URL, not {url!r}")
        self._url = url.rstrip("/")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self._timeout = timeout

    def call(self, method: str, path: str, body: Any = None) -> None:
        data = None if body is None else json.dumps(body).encode()
        # The scheme is checked to be http(s) in __init__.
        request = urllib.request.Request(self._url + path, data, self._headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise ProvisionError(f"{method} {path}: HTTP {exc.code} {detail}") from exc

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.call("GET", "/api/overview")
                return
            except (OSError, ProvisionError) as exc:
                if time.monotonic() >= deadline:
                    raise ProvisionError(f"management API not available: {exc}") from exc
                time.sleep(2)


def _vhost(name: str) -> str:
    return quote(name, safe="")


def provision(
    api: Management, definitions: Mapping[str, Any], users: Mapping[str, Any], env: Mapping[str, str]
) -> None:
    # Every password first: a missing one must fail before anything is written.
    passwords = {}
    for user in users["users"]:
        variable = user["password_variable"]
        if not env.get(variable):
            raise ProvisionError(f"{variable} is not set (password of broker user {user['name']})")
        passwords[user["name"]] = env[variable]
    vhosts = {item["vhost"] for key in ("exchanges", "queues") for item in definitions.get(key, [])}
    vhosts |= {p["vhost"] for p in users["permissions"]}
    for vhost in sorted(vhosts):
        api.call("PUT", f"/api/vhosts/{_vhost(vhost)}", {})
    api.call("POST", "/api/definitions", dict(definitions))
    for user in users["users"]:
        api.call(
            "PUT",
            f"/api/users/{quote(user['name'], safe='')}",
            {"password": passwords[user["name"]], "tags": user.get("tags", "")},
        )
    for permission in users["permissions"]:
        api.call(
            "PUT",
            f"/api/permissions/{_vhost(permission['vhost'])}/{quote(permission['user'], safe='')}",
            {key: permission[key] for key in ("configure", "write", "read")},
        )


def main(env: Mapping[str, str] = os.environ) -> int:
    try:
        api = Management(
            env["RABBITMQ_MANAGEMENT_URL"], env["RABBITMQ_ADMIN_USER"], env["RABBITMQ_ADMIN_PASSWORD"]
        )
        definitions = json.loads(
            Path(env.get("STALKER_BROKER_DEFINITIONS", HERE / "definitions.json")).read_text()
        )
        users = json.loads(Path(env.get("STALKER_BROKER_USERS", HERE / "users.json")).read_text())
        api.wait(float(env.get("RABBITMQ_WAIT_SECONDS", "120")))
        provision(api, definitions, users, env)
    except KeyError as exc:
        print(f"provision: {exc.args[0]} is not set", file=sys.stderr)
        return 2
    except ProvisionError as exc:
        print(f"provision: {exc}", file=sys.stderr)
        return 1
    print(f"provision: topology and {len(users['users'])} users loaded", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
