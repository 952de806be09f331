"""Bearer tokens: the catalog signs short-lived JWTs with its Ed25519 private key; every service checks
their signature with the public key alone, then the user they name against its own data on every request
(the user still exists and is active, and the token's `ver` claim is the user's current token version, which
a password change, an admin-rights change, a deactivation or a logout bumps)."""

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import HTTPException, status

from stalker_shared.settings import ServiceSettings

ALGORITHM = "EdDSA"  # pinned: tokens with any other `alg` (including `none`) are refused
ISSUER = "stalker-catalog"
AUDIENCE = "stalker"
TOKEN_URL = "/catalog/v1/auth/token"
DEV_KEY_FILE = "dev-jwt-ed25519.pem"


@dataclass(frozen=True)
class Principal:
    """Who is calling: from a verified token."""

    user_id: int
    login: str
    is_admin: bool
    token_version: int = 0  # the user's token version when the token was issued (claim `ver`)
    # The bearer token itself, for a service that must forward it (the versions service asking the
    # catalog about a user it has not heard of yet); not part of the claims' identity.
    token: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class SigningKeys:
    public_pem: str
    private_pem: str | None = None


def generate_private_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_signing_keys(settings: ServiceSettings) -> SigningKeys:
    """Keys from settings; in development only, a key pair kept in the data folder (made on first use)."""
    private = settings.jwt_private_key.get_secret_value() if settings.jwt_private_key else None
    if settings.jwt_public_key:
        return SigningKeys(settings.jwt_public_key, private)
    if private:
        return SigningKeys(public_pem_of(private), private)
    if settings.environment != "development":
        raise RuntimeError("jwt_public_key must be set outside development")
    private = _development_key(settings.data_dir / DEV_KEY_FILE)
    return SigningKeys(public_pem_of(private), private)


def _development_key(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    pem = generate_private_pem()
    with os.fdopen(descriptor, "w") as out:
        out.write(pem)
    return pem


def issue_token(private_pem: str, principal: Principal, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(principal.user_id),
        "login": principal.login,
        "adm": principal.is_admin,
        "ver": principal.token_version,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, private_pem, algorithm=ALGORITHM)


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


class TokenVerifier:
    """Checks bearer tokens with the public key alone. A token that verified once is remembered until it
    expires (an Ed25519 check and the claims' parsing were ~6% of a version's creation): a cached entry
    is the same signed token, so only its expiry needs checking again."""

    def __init__(self, public_pem: str, cache_size: int = 1024) -> None:
        self._key = serialization.load_pem_public_key(public_pem.encode())
        self._verified = lru_cache(maxsize=cache_size)(self._decode)

    def verify(self, token: str) -> Principal:
        principal, expires_at = self._verified(token)
        if expires_at <= time.time():
            raise unauthorized("the token has expired; log in again")
        return principal

    def expires_at(self, token: str) -> float:
        """When a verified token expires (Unix time): a stream it opened ends then."""
        return self._verified(token)[1]

    def _decode(self, token: str) -> tuple[Principal, float]:
        """Raises (and so caches nothing) for a token that does not verify."""
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            principal = Principal(
                int(claims["sub"]),
                str(claims.get("login", "")),
                bool(claims.get("adm", False)),
                int(claims.get("ver", 0)),
                token,
            )
            return principal, float(claims["exp"])
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("the token has expired; log in again") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise unauthorized("invalid token") from exc
