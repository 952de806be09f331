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

_hasher = PasswordHash((Argon2Hasher(),))


# Verifying against this keeps the time of a failed login the same whether or not the login exists.
# Made on the first unknown login, not at import: an Argon2 hash costs every process that imports this
# (each service process, each CLI) ~0.13 s of CPU.
@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a real password")


# Two at a time per process: Argon2 takes ~64 MiB per hash, so memory stays bounded as well as CPU.
_HASHING = anyio.CapacityLimiter(2)


@dataclass(frozen=True)
class PasswordPolicy:
    """At least `min_length` characters, and neither the login nor containing it."""

    min_length: int = 12

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


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_HASHING)


async def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash when the stored one uses outdated parameters."""
    return await anyio.to_thread.run_sync(_verify, password, password_hash, limiter=_HASHING)


def _verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    if password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return False, None
    return _hasher.verify_and_update(password, password_hash)


def access_token(private_pem: str, principal: Principal, minutes: int) -> str:
    return issue_token(private_pem, principal, timedelta(minutes=minutes))


def new_refresh_token() -> tuple[str, str]:
    """A random refresh token (256 bits) and the SHA-256 hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_hash(token)


def refresh_token_hash(token: str) -> str:
    # A fast hash is enough: the token is random and long, so it cannot be guessed from its hash.
    return hashlib.sha256(token.encode()).hexdigest()
