"""Password hashing (Argon2 through pwdlib) and access tokens for logged-in users."""

from __future__ import annotations

from datetime import timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from stalker_shared.auth import Principal, issue_token

_hasher = PasswordHash((Argon2Hasher(),))
# Verifying against this keeps the time of a failed login the same whether or not the login exists.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash when the stored one uses outdated parameters."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    return _hasher.verify_and_update(password, password_hash)


def access_token(private_pem: str, principal: Principal, minutes: int) -> str:
    return issue_token(private_pem, principal, timedelta(minutes=minutes))
