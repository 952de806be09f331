"""Domain errors as problem details: the status comes from the error's kind; the field and any facts
(the template line, the objects involved) travel as extensions."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from stalker_shared.problems import problem_response
from stalker_versions.domain.errors import DomainError


def install_domain_errors(app: FastAPI) -> None:
    async def on_domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        extensions: dict[str, object] = {"field": exc.field} if exc.field else {}
        extensions.update({k: v for k, v in exc.extensions.items() if v is not None})
        title = "Invalid request" if exc.http_status == 422 else HTTPStatus(exc.http_status).phrase
        return problem_response(exc.http_status, title, exc.message, **extensions)

    app.add_exception_handler(DomainError, on_domain_error)
