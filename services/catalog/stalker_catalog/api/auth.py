"""Logging in (OAuth2 password flow) and initialization."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from stalker_catalog.api.schemas.people import Me, Token
from stalker_catalog.security import access_token
from stalker_catalog.service.auth import LoginFailed, authenticate
from stalker_catalog.service.init import run_initialization
from stalker_catalog.settings import CatalogSettings
from stalker_shared.requests import Caller, RuntimeDep, admin


def auth_router() -> APIRouter:
    router = APIRouter(prefix="/v1/auth", tags=["auth"])

    @router.post(
        "/token", response_model=Token, summary="Log in with a login and password (OAuth2 password flow)"
    )
    async def token(runtime: RuntimeDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
        settings = runtime.settings
        assert isinstance(settings, CatalogSettings)
        async with runtime.unit_of_work() as uow:
            try:
                principal = await authenticate(uow, form.username, form.password)
                await uow.commit()  # a hash with outdated parameters was replaced
            except LoginFailed:
                raise HTTPException(
                    status.HTTP_401_UNAUTHORIZED,
                    "wrong login or password",
                    headers={"WWW-Authenticate": "Bearer"},
                ) from None
        if runtime.keys.private_pem is None:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "this catalog has no signing key configured"
            )
        minutes = settings.access_token_minutes
        return Token(
            access_token=access_token(runtime.keys.private_pem, principal, minutes), expires_in=minutes * 60
        )

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
