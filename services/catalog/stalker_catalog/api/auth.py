"""Logging in (OAuth2 password flow), refreshing, logging out, and initialization."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from stalker_catalog.api.schemas.people import LogoutRequest, Me, RefreshRequest, Token
from stalker_catalog.security import access_token
from stalker_catalog.service.auth import (
    LogIn,
    LoginFailed,
    RefreshRefused,
    Session,
    Throttle,
    TooManyAttempts,
    end_session,
    log_in,
    log_out,
    refresh,
)
from stalker_catalog.service.init import run_initialization
from stalker_catalog.settings import CatalogSettings
from stalker_shared.requests import Caller, RuntimeDep, Work, admin
from stalker_shared.runtime import Runtime

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def _settings(runtime: Runtime) -> CatalogSettings:
    settings = runtime.settings
    assert isinstance(settings, CatalogSettings)
    return settings


def _tokens(runtime: Runtime, session: Session) -> Token:
    if runtime.keys.private_pem is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "this catalog has no signing key configured")
    settings = _settings(runtime)
    minutes = settings.access_token_minutes
    return Token(
        access_token=access_token(runtime.keys.private_pem, session.principal, minutes),
        expires_in=minutes * 60,
        refresh_token=session.refresh_token,
        refresh_expires_in=int(settings.refresh_token_days * 86_400),
    )


def auth_router() -> APIRouter:
    router = APIRouter(prefix="/v1/auth", tags=["auth"])

    @router.post(
        "/token",
        response_model=Token,
        summary="Log in with a login and password (OAuth2 password flow)",
        responses={429: {"description": "Too many failed logins of the account or from the address"}},
    )
    async def token(
        runtime: RuntimeDep, request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
    ) -> Token:
        settings = _settings(runtime)
        throttle = Throttle(
            settings.login_failures_per_account,
            settings.login_failures_per_address,
            timedelta(seconds=settings.login_window_seconds),
        )
        address = request.client.host if request.client else "unknown"
        command = LogIn(form.username, form.password, address, settings.password_policy.cost)
        lifetime = timedelta(days=settings.refresh_token_days)
        try:
            session = await log_in(runtime.unit_of_work, command, throttle, lifetime)
        except TooManyAttempts as exc:
            headers = {"Retry-After": str(exc.retry_after)}
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers=headers) from None
        except LoginFailed as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), headers=_UNAUTHORIZED) from None
        return _tokens(runtime, session)

    @router.post(
        "/refresh", response_model=Token, summary="A new access and refresh token for a refresh token (once)"
    )
    async def refresh_tokens(runtime: RuntimeDep, body: RefreshRequest) -> Token:
        lifetime = timedelta(days=_settings(runtime).refresh_token_days)
        try:
            session = await refresh(runtime.unit_of_work, body.refresh_token, lifetime)
        except RefreshRefused as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), headers=_UNAUTHORIZED) from None
        return _tokens(runtime, session)

    @router.post(
        "/logout",
        status_code=status.HTTP_204_NO_CONTENT,
        summary="End one session (its refresh token given) or every session of the caller",
    )
    async def logout(uow: Work, body: LogoutRequest | None = None) -> Response:
        if body is not None and body.refresh_token is not None:
            await end_session(uow, uow.access.user_id, body.refresh_token)
        else:
            await log_out(uow, uow.access.user_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/me", response_model=Me)
    async def me(access: Caller) -> Me:
        return Me(
            id=access.user_id,
            login=access.login,
            is_admin=access.is_admin,
            project_roles={str(k): v.value for k, v in sorted(access.roles.items())},
        )

    return router


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[Depends(admin)])

    @router.post("/init", summary="Create the default data again where missing (idempotent)")
    async def init(runtime: RuntimeDep) -> dict[str, object]:
        report = await run_initialization(runtime)
        return {"changed": report.changed, "created": report.created}

    return router
