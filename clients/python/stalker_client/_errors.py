"""Typed exceptions carrying the server's problem details (RFC 9457)."""

from __future__ import annotations

from typing import Any


class StalkerError(Exception):
    """Anything the client reports; HTTP errors carry the problem details the server sent."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        field: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.body = body

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Per-field validation errors (`field`, `message`, `type`) when the server listed them."""
        if isinstance(self.body, dict) and isinstance(self.body.get("errors"), list):
            return [e for e in self.body["errors"] if isinstance(e, dict)]
        return []

    def __str__(self) -> str:
        parts = [f"{self.status} {self.title}:" if self.status else "", self.detail]
        if self.field and self.field not in self.detail:
            parts.append(f"(field: {self.field})")
        return " ".join(p for p in parts if p)


class AuthenticationError(StalkerError):
    """401: no token, an expired one, or a wrong login or password."""


class PermissionDenied(StalkerError):
    """403: logged in, but not allowed (most writes of reference data need an admin)."""


class NotFound(StalkerError):
    """404: no such object (or route)."""


class Conflict(StalkerError):
    """409: the change conflicts with existing data (a duplicate, an object still in use...)."""


class PreconditionFailed(Conflict):
    """412: the object changed since this client read it, so the update was refused and nothing was
    written; `etag` is its current ETag. Read it again (`get`), then apply the change again."""

    @property
    def etag(self) -> str | None:
        return str(self.body["etag"]) if isinstance(self.body, dict) and self.body.get("etag") else None


class CursorExpired(StalkerError):
    """410: retention deleted events after the cursor given, so reading on from it would skip some;
    `oldest_after` is the cursor the log can be read on from (knowing that the events before are gone)."""

    @property
    def oldest_after(self) -> int | None:
        value = self.body.get("oldest_after") if isinstance(self.body, dict) else None
        return int(value) if isinstance(value, int) else None


class ValidationError(StalkerError):
    """400 or 422: the request was refused; `field` names the culprit when the server said which."""


class ServerError(StalkerError):
    """5xx: the server failed, or a dependency it needs (the catalog, tj3) did."""


class ConnectionFailed(StalkerError):
    """The server could not be reached at all."""


class SchedulingFailed(StalkerError):
    """A schedule job ended in `failed`; `job` is its last state, `problems` what went wrong (each with its
    `kind` and `explanation`, naming the tasks and resources)."""

    def __init__(self, detail: str, *, job: Any) -> None:
        super().__init__(detail, title="Scheduling failed")
        self.job = job
        self.problems: list[Any] = list(getattr(job, "problems", None) or [])


class WaitTimeout(StalkerError):
    """Waiting for a job took longer than allowed; the job goes on on the server."""

    def __init__(self, detail: str, *, job: Any) -> None:
        super().__init__(detail, title="Timed out")
        self.job = job


_BY_STATUS: dict[int, type[StalkerError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    410: CursorExpired,
    412: PreconditionFailed,
    422: ValidationError,
}


def error_for(status: int, body: Any, text: str) -> StalkerError:
    """The exception for an error response, with whatever problem details it carried."""
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else StalkerError)
    problem = body if isinstance(body, dict) else {}
    detail = str(problem.get("detail") or problem.get("title") or text or f"HTTP {status}")
    field = problem.get("field")
    if field is None:
        errors = problem.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            field = errors[0].get("field") or None
    title = problem.get("title")
    return kind(
        detail,
        status=status,
        title=str(title) if title else None,
        field=str(field) if field else None,
        body=body if body is not None else text,
    )
