"""The one path every request takes: FastAPI dependencies for the caller and the unit of work.

    caller       the bearer token verified, then the caller's access read from the service's own data
                 (the user still there, admin or not, their projects and roles): `Access`
    unit_of_work opened once per request with the caller's access and project scope on its session,
                 committed once after the route returns (before the response goes out), rolled back on
                 any error, with the outbox rows inside it, as the message consumer does for a message

Routes declare `uow: Work` (or `caller: Caller` when they need no transaction) and only translate: build
a command, call a handler, shape the response.
"""

# No `from __future__ import annotations` here: FastAPI reads the Annotated aliases at runtime.

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from stalker_shared.access import Access
from stalker_shared.auth import TOKEN_URL, Principal
from stalker_shared.scope import scope_session
from stalker_shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from stalker_shared.runtime import Runtime

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def runtime_of(request: Request) -> "Runtime":
    runtime: Runtime = request.app.state.runtime
    return runtime


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


async def principal(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> Principal:
    """The verified token's claims (signature, issuer, audience, expiry); nothing read from a database."""
    if not token:
        raise unauthorized("authentication required: send a bearer token from " + TOKEN_URL)
    return runtime_of(request).auth.verify(token)


async def caller(request: Request, claims: Annotated[Principal, Depends(principal)]) -> Access:
    """The caller's access, read in a short transaction of its own."""
    runtime = runtime_of(request)
    async with runtime.unit_of_work() as uow:
        return await runtime.definition.load_access(uow.session, claims)


async def unit_of_work(
    request: Request, claims: Annotated[Principal, Depends(principal)]
) -> AsyncIterator[UnitOfWork]:
    runtime = runtime_of(request)
    async with runtime.unit_of_work() as uow:
        uow.access = await runtime.definition.load_access(uow.session, claims)
        scope_session(uow.session, runtime.definition.scope_rules, uow.access.project_ids)
        yield uow
        await uow.commit()


async def admin(access: Annotated[Access, Depends(caller)]) -> Access:
    access.require_admin()
    return access


async def reference_editor(access: Annotated[Access, Depends(caller)]) -> Access:
    access.require_reference_editor()
    return access


RuntimeDep = Annotated["Runtime", Depends(runtime_of)]
Caller = Annotated[Access, Depends(caller)]
Admin = Annotated[Access, Depends(admin)]
# scope="function": the commit runs after the route returns and before the response is sent, so a
# failed commit is the caller's error response, never a success that was not kept.
Work = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]
