"""deploy/postgres/init-databases.sh, which the compose file's postgres runs on first start: one login
role and one database per service, each role owning only its database. Run here with psql against the
test server, under a unique prefix, and removed afterwards."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from support.deployment import ROOT, SERVICES

SCRIPT = ROOT / "deploy/postgres/init-databases.sh"


def _psql_env(server: str) -> dict[str, str]:
    parts = urlsplit(server)
    env = {**os.environ, "PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432)}
    if parts.password:
        env["PGPASSWORD"] = parts.password
    env["POSTGRES_USER"] = parts.username or "postgres"
    return env


def _psql(env: dict[str, str], sql: str) -> str:
    return subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-At", "--dbname", "postgres", "-c", sql],
        env={**env, "PGUSER": env["POSTGRES_USER"]},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _scram_matches(verifier: str, password: str) -> bool:
    """SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (RFC 5802, as PostgreSQL stores it)."""
    method, rest = verifier.split("$", 1)
    assert method == "SCRAM-SHA-256", verifier
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored_key


@pytest.fixture
def psql_env(pg_server: str) -> Iterator[tuple[dict[str, str], str]]:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    env, prefix = _psql_env(pg_server), f"initcheck_{uuid.uuid4().hex[:8]}"
    try:
        yield env, prefix
    finally:
        for svc in SERVICES:
            subprocess.run(
                [
                    "psql",
                    "-q",
                    "--dbname",
                    "postgres",
                    "-c",
                    f'DROP DATABASE IF EXISTS "{prefix}_{svc}"',
                    "-c",
                    f'DROP ROLE IF EXISTS "{prefix}_{svc}"',
                ],
                env={**env, "PGUSER": env["POSTGRES_USER"]},
                capture_output=True,
                timeout=60,
            )


@pytest.mark.postgres
def test_each_service_gets_its_own_role_and_database(psql_env: tuple[dict[str, str], str]) -> None:
    env, prefix = psql_env
    passwords = {f"STALKER_{svc.upper()}_DB_PASSWORD": f'it\'s "{svc}" pw' for svc in SERVICES}
    subprocess.run(
        ["sh", str(SCRIPT)],
        env={**env, **passwords, "STALKER_DB_PREFIX": prefix, "PGUSER": env["POSTGRES_USER"]},
        check=True,
        capture_output=True,
        timeout=60,
    )
    # SQL with the prefix in it: the test made the prefix (uuid hex), nothing outside reaches these strings.
    query = (
        "SELECT d.datname, r.rolname, r.rolcanlogin, has_database_privilege('public', d.datname, 'CONNECT') "  # noqa: S608
        "FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
        f"WHERE d.datname LIKE '{prefix}%' ORDER BY 1"
    )
    owners = _psql(env, query).split()
    assert owners == sorted(f"{prefix}_{svc}|{prefix}_{svc}|t|f" for svc in SERVICES)
    # Passwords with quotes arrive intact (psql variables, no SQL built in the shell): each stored SCRAM
    # verifier is the one of exactly that password.
    for svc in SERVICES:
        query = f"SELECT rolpassword FROM pg_authid WHERE rolname = '{prefix}_{svc}'"  # noqa: S608
        verifier = _psql(env, query).strip()
        assert _scram_matches(verifier, passwords[f"STALKER_{svc.upper()}_DB_PASSWORD"]), svc


@pytest.mark.postgres
def test_a_missing_password_stops_the_script_before_anything_is_created(
    psql_env: tuple[dict[str, str], str],
) -> None:
    env, prefix = psql_env
    result = subprocess.run(
        ["sh", str(SCRIPT)],
        env={**env, "STALKER_DB_PREFIX": prefix, "PGUSER": env["POSTGRES_USER"]},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "STALKER_CATALOG_DB_PASSWORD is not set" in result.stderr
    query = f"SELECT count(*) FROM pg_roles WHERE rolname LIKE '{prefix}%'"  # noqa: S608
    assert _psql(env, query).strip() == "0"
