"""Domain errors as problem details: the status comes from the error's kind, the field and any extra
facts (the objects involved, a cycle) travel as extensions."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from stalker_catalog.domain.errors import CycleError, DomainError
from stalker_shared.problems import problem_response

TITLES = {404: "Not Found", 409: "Conflict", 422: "Invalid request", 400: "Bad Request", 403: "Forbidden"}


def install_domain_errors(app: FastAPI) -> None:
    async def on_domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        extensions: dict[str, object] = {}
        if exc.field:
            extensions["field"] = exc.field
        if isinstance(exc, CycleError):
            extensions["cycle"] = [{"id": i, "name": n} for i, n in exc.cycle]
        extensions.update(getattr(exc, "extensions", {}) or {})
        status = exc.http_status
        return problem_response(status, TITLES.get(status, "Error"), exc.message, **extensions)

    app.add_exception_handler(DomainError, on_domain_error)
