"""Who is calling, for a service that keeps no users (the scheduler, the event log): the catalog's word,
asked with the caller's own token (`GET /catalog/v1/auth/me`), which the catalog checks against the user as
it is now (exists, active, token version) and answers with the caller's project roles. So a deleted,
deactivated or demoted user's token gets no more here than there: admin rights and memberships come from
the catalog, never from the token."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

import httpx

from stalker_shared.access import Access, role_of
from stalker_shared.auth import Principal
from stalker_shared.correlation import current_correlation_id
from stalker_shared.errors import DomainError, Unavailable
from stalker_shared.outbound import tls_context

_KEPT = 4096


class CallerRefused(DomainError):
    """The catalog refused the token (401)."""

    http_status = 401


@dataclass
class CatalogCallers:
    """`load_access` from the catalog. `reuse_seconds` keeps an answer per token that long (0: ask every
    time), for routes a tool polls; `transport` lets tests answer with the catalog's app in-process."""

    catalog_url: str
    timeout: float = 5.0
    transport: httpx.AsyncBaseTransport | None = None
    reuse_seconds: float = 0.0
    _kept: OrderedDict[str, tuple[float, Access]] = field(default_factory=OrderedDict, repr=False)

    async def load_access(self, _: object, claims: Principal) -> Access:
        kept = self._kept.get(claims.token)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        access = await self._ask(claims)
        if self.reuse_seconds > 0:
            self._kept[claims.token] = (time.monotonic() + self.reuse_seconds, access)
            self._kept.move_to_end(claims.token)
            while len(self._kept) > _KEPT:
                self._kept.popitem(last=False)
        return access

    async def _ask(self, claims: Principal) -> Access:
        headers = {"Authorization": f"Bearer {claims.token}", "x-correlation-id": current_correlation_id()}
        try:
            async with httpx.AsyncClient(
                base_url=self.catalog_url.rstrip("/"),
                timeout=self.timeout,
                transport=self.transport,
                verify=tls_context(),
            ) as client:
                response = await client.get("/catalog/v1/auth/me", headers=headers)
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"the catalog could not be reached to check the caller ({type(exc).__name__})"
            ) from None
        if response.status_code in (401, 403):
            raise CallerRefused("the catalog refused this token (unknown, deactivated or revoked user)")
        if response.status_code != 200:
            raise Unavailable(f"the catalog answered {response.status_code} when asked who the caller is")
        me = response.json()
        if me.get("id") != claims.user_id:
            raise CallerRefused("the catalog does not know this token's user")
        roles = {int(p): role_of(r) for p, r in (me.get("project_roles") or {}).items()}
        return Access(claims.user_id, str(me.get("login", claims.login)), bool(me.get("is_admin")), roles)
