"""The one path every request takes: FastAPI dependencies for the caller and the unit of work.

    principal    the bearer token verified (signature, issuer, audience, expiry)
    unit_of_work opened once per request; the caller's access read in it from the service's own data
                 (the user still there, admin or not, their projects and roles) and its project scope
                 put on its session,
                 committed once after the route returns (before the response goes out), rolled back on
                 any error, with the outbox rows inside it, as the message consumer does for a message

Routes declare `uow: Work` (or `Caller`, `Admin`: the same unit of work's access) and only translate:
build a command, call a handler, shape the response.
"""

# No `from __future__ import annotations` here: FastAPI reads the Annotated aliases at runtime.

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from stalker_shared.access import Access
from stalker_shared.auth import TOKEN_URL, Principal, unauthorized
from stalker_shared.scope import scope_session
from stalker_shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from stalker_shared.runtime import Runtime

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
# Requests that change nothing (RFC 9110 safe methods): their unit of work only reads.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def runtime_of(request: Request) -> "Runtime":
    runtime: Runtime = request.app.state.runtime
    return runtime


async def principal(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> Principal:
    """The verified token's claims (signature, issuer, audience, expiry); nothing read from a database."""
    if not token:
        raise unauthorized("authentication required: send a bearer token from " + TOKEN_URL)
    return runtime_of(request).auth.verify(token)


async def unit_of_work(
    request: Request, claims: Annotated[Principal, Depends(principal)]
) -> AsyncIterator[UnitOfWork]:
    runtime = runtime_of(request)
    async with runtime.unit_of_work() as uow:
        await uow.read_first()  # SQLite: a GET never waits for a writer, nor does reading the caller's access
        uow.access = await runtime.definition.load_access(uow.session, claims)
        scope_session(uow.session, runtime.definition.scope_rules, uow.access.project_ids)
        if request.method not in READ_METHODS:
            await uow.write_from_here()
        yield uow
        await uow.commit()


# scope="function": the commit runs after the route returns and before the response is sent, so a
# failed commit is the caller's error response, never a success that was not kept. The guards below take
# the same dependency, so a request reads the caller's access once, in its one unit of work.
Work = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]


async def caller(uow: Work) -> Access:
    return uow.access


async def admin(uow: Work) -> Access:
    uow.access.require_admin()
    return uow.access


async def reference_editor(uow: Work) -> Access:
    uow.access.require_reference_editor()
    return uow.access


RuntimeDep = Annotated["Runtime", Depends(runtime_of)]
Caller = Annotated[Access, Depends(caller)]
Admin = Annotated[Access, Depends(admin)]
