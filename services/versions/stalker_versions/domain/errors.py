"""Business errors raised by the rules and handlers; the API maps each kind to one HTTP status."""

from __future__ import annotations

from stalker_shared.errors import Conflict, DomainError, Forbidden, NotFound, Unavailable, ValidationFailed

__all__ = [
    "CatalogUnavailable",
    "Conflict",
    "DomainError",
    "Forbidden",
    "NotFound",
    "UnsafePath",
    "ValidationFailed",
]


class CatalogUnavailable(Unavailable):
    """The catalog could not answer a lookup this request needed (503)."""


class UnsafePath(ValidationFailed):
    """A rendered path or filename that would leave its project's folder or that some operating system
    cannot use (`..`, a separator in a name, a reserved device name, a control character) (422)."""
