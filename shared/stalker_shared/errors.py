"""Business errors every service raises from its rules; the HTTP layer turns each kind into one status
and the error's field and facts into problem-details extensions (see problems.py)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A broken business rule, optionally tied to one input field, with extra facts for the caller."""

    http_status: ClassVar[int] = 400

    def __init__(self, message: str, field: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extensions: dict[str, Any] = extensions


class ValidationFailed(DomainError):
    """A value that can never be valid (422)."""

    http_status = 422


class NotFound(DomainError):
    """A referenced object does not exist (404)."""

    http_status = 404


class Conflict(DomainError):
    """A request that clashes with the current state (409)."""

    http_status = 409


class Forbidden(DomainError):
    """The caller may not do this to this object (403)."""

    http_status = 403


class Unavailable(DomainError):
    """A service this request needed could not answer (503)."""

    http_status = 503
