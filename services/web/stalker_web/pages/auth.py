"""Sign-in and sign-out. The password goes to the catalog once, at sign-in; the cookie holds tokens only."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from stalker_web.api import Api, ApiError, SignedOut, log_in
from stalker_web.context import BASE
from stalker_web.deps import Checked, SignedIn, Web, current_session, render, set_session

router = APIRouter(tags=["sign-in"])
HOME = f"{BASE}/"
# The catalog's longest login; the sign-in form's longest way back (a longer one goes home instead).
LOGIN_MAX = 256
NEXT_MAX = 2048


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this app only, never another site, and never longer than
    the sign-in form takes back (a page's long address goes home, rather than refuse the sign-in)."""
    if (
        target
        and len(target) <= NEXT_MAX
        and target.startswith(f"{BASE}/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return HOME


@router.get("/login")
async def login_page(request: Request, web: Web, next: str | None = None) -> Response:
    if current_session(request).signed_in:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, web, "login.html", next=safe_next(next))


@router.post("/login", dependencies=[Checked])
async def login(
    request: Request,
    web: Web,
    login: Annotated[str, Form(max_length=LOGIN_MAX)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=NEXT_MAX)] = HOME,
) -> Response:
    address = request.client.host if request.client else None
    try:
        access, refresh = await log_in(web.client, login, password, address)
    except ApiError as exc:
        if exc.status == 429:
            wait = f" Try again in {exc.retry_after} s." if exc.retry_after else ""
            message = "Too many failed sign-ins." + wait
        elif exc.status in (400, 401, 422):
            message = "Wrong login or password."
        else:
            raise
        return render(
            request, web, "login.html", exc.status, next=safe_next(next), error=message, login=login
        )
    session = current_session(request).with_tokens(access, refresh)
    me = await Api(web.client, session, web.refresher).get("/catalog/v1/auth/me")
    set_session(request, session.signed_in_as(me["id"], me["login"], bool(me["is_admin"])))
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Checked])
async def logout(request: Request, page: SignedIn) -> Response:
    # Every token of the person, so that a copy of this cookie stops working at once (an access token
    # cannot be revoked alone: ending only this session would leave a copy working for minutes).
    with contextlib.suppress(SignedOut):  # already revoked
        await page.api.post("/catalog/v1/auth/logout")
    set_session(request, current_session(request).signed_out().with_flash("Signed out."))
    return RedirectResponse(f"{BASE}/login", status_code=303)
