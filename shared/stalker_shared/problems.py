"""Errors as RFC 9457 problem details, for every service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from stalker_shared.db import DEADLOCK, SERIALIZATION_FAILURE, sqlstate
from stalker_shared.errors import DomainError

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """A business error the API reports as problem details (404, 409, 422...)."""

    def __init__(self, status: int, title: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extensions = status, title, detail, extensions


class BodyTooLarge(StarletteHTTPException):
    """A request body over the size limit, found while it is read (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, body_too_large_detail(limit))
        self.limit = limit


def body_too_large_detail(limit: int) -> str:
    return f"request bodies are limited to {limit} bytes here ({limit / 1024 / 1024:g} MiB)"


def body_too_large_response(limit: int) -> JSONResponse:
    return problem_response(413, "Content Too Large", body_too_large_detail(limit), limit=limit)


def problem_response(status: int, title: str, detail: str | None = None, **extensions: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc.status, exc.title, exc.detail, **exc.extensions)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        extensions = {"limit": exc.limit} if isinstance(exc, BodyTooLarge) else {}
        response = problem_response(exc.status_code, _title(exc.status_code), str(exc.detail), **extensions)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                # A validator's own sentence, without pydantic's "Value error, " in front of it.
                "message": e["msg"].removeprefix("Value error, ") if e["type"] == "value_error" else e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
        # `field` names the first field at fault, as every other 422 of ours does.
        first = next((e["field"] for e in errors if e["field"]), None)
        extensions = {"field": first} if first else {}
        return problem_response(422, "Invalid request", detail, errors=errors, **extensions)

    async def on_integrity(_: Request, exc: Exception) -> JSONResponse:
        # A uniqueness or reference rule the database caught (a concurrent request won the race).
        return problem_response(
            409, "Conflict", f"the change conflicts with existing data: {_db_reason(exc)}"
        )

    async def on_concurrency(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DBAPIError)
        if sqlstate(exc) not in (DEADLOCK, SERIALIZATION_FAILURE):
            raise exc  # any other database failure is the server's (500)
        return problem_response(
            409,
            "Conflict",
            "the database ended this request's transaction in favour of a concurrent one (a deadlock or "
            "a serialization failure); it was not saved: retry",
        )

    async def on_stale(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            409, "Conflict", "the object was changed by someone else meanwhile; reload and retry"
        )

    async def on_domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        extensions: dict[str, Any] = {"field": exc.field} if exc.field else {}
        extensions.update({k: v for k, v in exc.extensions.items() if v is not None})
        title = "Invalid request" if exc.http_status == 422 else _title(exc.http_status)
        response = problem_response(exc.http_status, title, exc.message, **extensions)
        if exc.http_status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"  # as for a missing or invalid token
        return response

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(DBAPIError, on_concurrency)
    app.add_exception_handler(StaleDataError, on_stale)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)


def _db_reason(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).splitlines()[0][:300]


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
