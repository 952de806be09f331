"""The browser's session: the user's API tokens and a CSRF secret, sealed (encrypted and authenticated)
into one HttpOnly cookie with Fernet. The app keeps nothing server-side; signing out revokes the tokens at
the catalog, so a copied cookie stops working too."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import asdict, dataclass, replace

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "stalker_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Session:
    csrf: str
    access_token: str | None = None
    refresh_token: str | None = None
    user_id: int | None = None
    login: str | None = None
    is_admin: bool = False
    # A one-time message for the next page shown (after a form's redirect).
    flash: str | None = None

    @classmethod
    def anonymous(cls) -> Session:
        return cls(csrf=secrets.token_urlsafe(32))

    @property
    def signed_in(self) -> bool:
        return self.access_token is not None

    def with_tokens(self, access_token: str, refresh_token: str | None) -> Session:
        return replace(self, access_token=access_token, refresh_token=refresh_token)

    def signed_in_as(self, user_id: int, login: str, is_admin: bool) -> Session:
        # A new CSRF secret at sign-in, so a token planted before it is worthless after.
        return replace(self, user_id=user_id, login=login, is_admin=is_admin, csrf=secrets.token_urlsafe(32))

    def with_flash(self, message: str | None) -> Session:
        return replace(self, flash=message)

    def signed_out(self) -> Session:
        return Session.anonymous()

    def masked_csrf(self) -> str:
        """The CSRF secret as a page carries it: XORed with a fresh pad each time, so a compressed page
        never repeats it (BREACH)."""
        secret = self.csrf.encode()
        pad = secrets.token_bytes(len(secret))
        return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, secret, strict=True))).decode()

    def csrf_matches(self, offered: str | None) -> bool:
        """Whether a form's or a script's token is this session's (masked as pages carry it)."""
        if not offered or len(offered) > 256:
            return False
        try:
            raw = base64.urlsafe_b64decode(offered.encode())
        except ValueError:
            return False
        half = len(raw) // 2
        unmasked = bytes(a ^ b for a, b in zip(raw[:half], raw[half:], strict=False))
        return len(raw) % 2 == 0 and secrets.compare_digest(unmasked, self.csrf.encode())


class SessionSeal:
    """Turns a session into a cookie value and back; anything tampered, expired or foreign reads as None."""

    def __init__(self, key: bytes, max_age_seconds: int) -> None:
        self._fernet = Fernet(key)
        self.max_age_seconds = max_age_seconds

    def seal(self, session: Session) -> str:
        return self._fernet.encrypt(json.dumps(asdict(session)).encode()).decode()

    def open(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = json.loads(self._fernet.decrypt(cookie.encode(), ttl=self.max_age_seconds))
            return Session(**data)
        except (InvalidToken, ValueError, TypeError):
            return None
