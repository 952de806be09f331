"""The one path every page takes: the session from its cookie, the CSRF check on every change, the API as
the signed-in user, and rendering with what every page shows (who is signed in, the CSRF token, a notice).
Pages never decide what a user may see: the services answer, and a refusal is shown as such."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from stalker_web import lookups
from stalker_web.api import Api, ApiError, SignedOut
from stalker_web.context import BASE, WebContext
from stalker_web.session import CSRF_FIELD, CSRF_HEADER, Session

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfRefused(Exception):
    """A change without this session's CSRF token, or from another site."""


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context


def current_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


def set_session(request: Request, session: Session) -> None:
    request.state.session = session


async def csrf_checked(request: Request) -> None:
    """Refuses an unsafe request that a browser says came from another site (Sec-Fetch-Site: the Host a
    proxy passes on may not be the one the browser used, so Origin is not compared with it) or that lacks
    the session's CSRF token (a form field, or a header for the page's own scripts)."""
    if request.method not in UNSAFE:
        return
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise CsrfRefused()
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get(CSRF_FIELD)
        offered = value if isinstance(value, str) else None
    if not current_session(request).csrf_matches(offered):
        raise CsrfRefused()


class Page:
    """A signed-in request: the API as its user, and rendering."""

    def __init__(self, request: Request, web: WebContext) -> None:
        session = current_session(request)
        if not session.signed_in:
            raise SignedOut()
        self.request, self.web = request, web
        self.api = Api(web.client, session, web.refresher, on_refresh=self._keep_tokens)

    def _keep_tokens(self, refreshed: Session) -> None:
        """The refreshed tokens go into the cookie of whatever this request answers."""
        current = current_session(self.request)
        set_session(self.request, current.with_tokens(refreshed.access_token or "", refreshed.refresh_token))

    @property
    def session(self) -> Session:
        return self.api.session

    @property
    def user_id(self) -> int:
        assert self.session.user_id is not None
        return self.session.user_id

    async def zone(self) -> str:
        """The studio's time zone (IANA name), in which the pages show times."""
        return str((await lookups.studio(self.api)).get("time_zone") or "UTC")

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        return render(self.request, self.web, template, status_code, **values)

    def redirect(self, path: str, notice: str | None = None) -> RedirectResponse:
        """303 to another page of the app (after a change), with a notice shown there once."""
        if notice:
            set_session(self.request, current_session(self.request).with_flash(notice))
        return RedirectResponse(path if path.startswith(BASE) else BASE + path, status_code=303)


def render(
    request: Request, web: WebContext, template: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    session = current_session(request)
    notice = session.flash
    if notice:
        set_session(request, session.with_flash(None))
    context = {"session": session, "csrf_token": session.masked_csrf(), "notice": notice, **values}
    return web.templates.TemplateResponse(request, template, context, status_code=status_code)


def signed_in(request: Request, web: Annotated[WebContext, Depends(web_context)]) -> Page:
    return Page(request, web)


SignedIn = Annotated[Page, Depends(signed_in)]
Checked = Depends(csrf_checked)
Web = Annotated[WebContext, Depends(web_context)]

__all__ = ["ApiError", "Checked", "CsrfRefused", "Page", "SignedIn", "Web", "render", "set_session"]
