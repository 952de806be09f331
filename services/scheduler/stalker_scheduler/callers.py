"""Who is calling, for a service that keeps no users: the catalog's word, asked with the caller's own
token (`GET /catalog/v1/auth/me`), which the catalog checks against the user as it is now (exists, active,
token version). So a deleted, deactivated or demoted user's token gets no more here than there: the
scheduler's admin routes take admin rights from the catalog, never from the token."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from stalker_shared.access import Access
from stalker_shared.auth import Principal
from stalker_shared.correlation import current_correlation_id
from stalker_shared.errors import DomainError, Unavailable


class CallerRefused(DomainError):
    """The catalog refused the token (401)."""

    http_status = 401


@dataclass
class CatalogCallers:
    """`load_access` for the scheduler. `transport` lets tests answer with the catalog's app in-process."""

    catalog_url: str
    timeout: float = 5.0
    transport: httpx.AsyncBaseTransport | None = None

    async def load_access(self, _: object, claims: Principal) -> Access:
        headers = {"Authorization": f"Bearer {claims.token}", "x-correlation-id": current_correlation_id()}
        try:
            async with httpx.AsyncClient(
                base_url=self.catalog_url.rstrip("/"), timeout=self.timeout, transport=self.transport
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
        return Access(claims.user_id, str(me.get("login", claims.login)), bool(me.get("is_admin")))
