"""Password hashing (Argon2 through pwdlib), the password policy, and the tokens of a logged-in user.

An Argon2 hash or check takes ~0.1 s of CPU: it runs in a worker thread, at most a few at a time, so the
event loop (health checks, every other request) never waits for one and a burst of logins queues instead
of taking every thread.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from stalker_shared.auth import Principal, issue_token
from stalker_shared.errors import ValidationFailed


@dataclass(frozen=True)
class Argon2Cost:
    """How hard a password hash is to compute: passes over `memory_kib` KiB, with `lanes` lanes.
    The defaults are pwdlib's (and argon2-cffi's) recommendation; a hash records its own cost, so a
    change applies to new hashes, and a login rehashes one made at another cost."""

    time_cost: int = 3
    memory_kib: int = 65536
    lanes: int = 4


STRONG = Argon2Cost()


@cache
def _hasher(cost: Argon2Cost) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.lanes),)
    )


# Verifying against this keeps the time of a failed login the same whether or not the login exists.
# Made on the first unknown login, not at import: an Argon2 hash costs every process that imports this
# (each service process, each CLI) ~0.13 s of CPU.
@cache
def _dummy_hash(cost: Argon2Cost) -> str:
    return _hasher(cost).hash("not a real password")


# Two at a time per process: Argon2 takes ~64 MiB per hash, so memory stays bounded as well as CPU.
_HASHING = anyio.CapacityLimiter(2)


@dataclass(frozen=True)
class PasswordPolicy:
    """At least `min_length` characters, and neither the login nor containing it; hashed at `cost`."""

    min_length: int = 12
    cost: Argon2Cost = STRONG

    def check(self, password: str, login: str) -> None:
        if len(password) < self.min_length:
            raise ValidationFailed(
                f"password must have at least {self.min_length} characters", field="password"
            )
        # Containment only for logins of 3 characters or more: a one-letter login would forbid that letter.
        folded, name = password.casefold(), login.casefold()
        if folded == name or (len(name) >= 3 and name in folded):
            raise ValidationFailed("password must not be or contain the login", field="password")


STRICT_PASSWORDS = PasswordPolicy()


async def hash_password(password: str, cost: Argon2Cost = STRONG) -> str:
    return await anyio.to_thread.run_sync(_hasher(cost).hash, password, limiter=_HASHING)


async def verify_password(
    password: str, password_hash: str | None, cost: Argon2Cost = STRONG
) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash when the stored one was made at another cost."""
    return await anyio.to_thread.run_sync(_verify, password, password_hash, cost, limiter=_HASHING)


def _verify(password: str, password_hash: str | None, cost: Argon2Cost) -> tuple[bool, str | None]:
    if password_hash is None:
        _hasher(cost).verify(password, _dummy_hash(cost))
        return False, None
    return _hasher(cost).verify_and_update(password, password_hash)


def access_token(private_pem: str, principal: Principal, minutes: int) -> str:
    return issue_token(private_pem, principal, timedelta(minutes=minutes))


def new_refresh_token() -> tuple[str, str]:
    """A random refresh token (256 bits) and the SHA-256 hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_hash(token)


def refresh_token_hash(token: str) -> str:
    # A fast hash is enough: the token is random and long, so it cannot be guessed from its hash.
    return hashlib.sha256(token.encode()).hexdigest()
