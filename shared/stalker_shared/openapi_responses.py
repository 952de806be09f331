"""The error responses every API route documents: RFC 9457 problem details (see problems.py), so that a
client, and a property-based test, can hold each 4xx answer to a schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stalker_shared.problems import PROBLEM_JSON


class ProblemField(BaseModel):
    """One invalid part of a request."""

    field: str = Field(description="Where: a body field (`items.0.name`), a query or path parameter")
    message: str
    type: str


class ProblemDetails(BaseModel):
    """An error (RFC 9457). Business errors add the objects involved as further members."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    field: str | None = Field(None, description="The field or parameter at fault, when there is one")
    errors: list[ProblemField] | None = Field(None, description="422: every invalid part of the request")


_WHEN = {
    400: "The request could not be read",
    401: "No valid token (the answer carries `WWW-Authenticate: Bearer`)",
    403: "The caller's role does not allow it",
    404: "Not found, or in a project the caller is not a member of",
    409: "Conflicts with the current data (a rule, a uniqueness, a concurrent change)",
    412: "`If-Match` names a revision that is no longer current",
    413: "The request body is too large",
    422: "Invalid request: the fields at fault are named",
    429: "Too many attempts (see `Retry-After`)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a router or a route: each status answered with problem details."""
    return {
        status: {
            "model": ProblemDetails,
            "description": _WHEN[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
        }
        for status in statuses or tuple(_WHEN)
    }


PROBLEM_RESPONSES = problem_responses()
"""Every 4xx the request path can answer (authentication, access, rules, validation, limits)."""
