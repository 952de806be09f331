"""Normalisation of names, logins and e-mail addresses."""

from __future__ import annotations

import re

from stalker_catalog.domain.errors import ValidationFailed
from stalker_shared.naming import nice_name

__all__ = ["nice_name", "normalize_login", "normalize_name", "validate_email"]

_NOT_LOGIN_CHAR = re.compile(r"[^a-z0-9]")
_LEADING_DIGITS = re.compile(r"^[0-9]+")


def normalize_login(raw: str) -> str:
    """Reduce a login to lower-case ASCII letters and digits, never starting with a digit."""
    # Lower-case before filtering so upper-case ASCII letters survive; unlike the reference,
    # parentheses are dropped too (their survival there is a regex bug).
    login = _NOT_LOGIN_CHAR.sub("", raw.strip().lower())
    login = _LEADING_DIGITS.sub("", login)
    if not login:
        raise ValidationFailed(
            f"login {raw!r} has no letters: a login needs at least one letter a-z (digits may follow it)",
            field="login",
        )
    return login


def normalize_name(raw: str, field: str = "name") -> str:
    """Strip a name and collapse its internal whitespace; an empty result is an error."""
    name = " ".join(raw.split())
    if not name:
        raise ValidationFailed(f"{field} may not be empty", field=field)
    return name


def validate_email(raw: str) -> str:
    """Check an address has one ``@`` between a non-empty name and domain; lower-case the domain."""
    email = raw.strip()
    at_signs = email.count("@")
    if at_signs == 0:
        raise ValidationFailed(f"email {email!r} has no @ sign", field="email")
    if at_signs > 1:
        raise ValidationFailed(f"email {email!r} has more than one @ sign", field="email")
    local, domain = email.split("@")
    if not local:
        raise ValidationFailed(f"email {email!r} is missing the name part before the @", field="email")
    if not domain:
        raise ValidationFailed(f"email {email!r} is missing the domain part after the @", field="email")
    # Domains are case-insensitive (RFC 5321); the local part may not be, so it is kept as given.
    return f"{local}@{domain.lower()}"
