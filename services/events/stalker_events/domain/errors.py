"""The events service's own refusals."""

from __future__ import annotations

from stalker_shared.errors import DomainError


class CursorExpired(DomainError):
    """The cursor is older than what retention keeps: the events after it are partly gone (410)."""

    http_status = 410


class CursorAhead(DomainError):
    """The cursor is past the newest event: this log never gave it (one from another database, a restored
    backup); reading after it would silently pass over every event until the log caught up (422)."""

    http_status = 422
