"""What every router of the service shares: the caller's token and identity, the catalog."""

from __future__ import annotations

from fastapi import Request

from stalker_shared.runtime import Runtime
from stalker_versions.catalog_client import CatalogLookup, HttpCatalog
from stalker_versions.service.version_plans import PlanCache
from stalker_versions.settings import VersionsSettings

CATALOG_EXTRA = "catalog"
PLANS_EXTRA = "version_plans"


def bearer_token(request: Request) -> str | None:
    """The caller's raw token, forwarded when the catalog must be asked."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def catalog_lookup(runtime: Runtime) -> CatalogLookup:
    """The catalog client: one a test put in the runtime's extras, else HTTP to the configured catalog."""
    configured = runtime.extras.get(CATALOG_EXTRA)
    if configured is not None:
        return configured  # type: ignore[no-any-return]
    settings = runtime.settings
    assert isinstance(settings, VersionsSettings)
    lookup = HttpCatalog(settings.catalog_url, settings.catalog_timeout_seconds)
    runtime.extras[CATALOG_EXTRA] = lookup
    return lookup


def plan_cache(runtime: Runtime) -> PlanCache:
    """This process's cache of version plans (service/version_plans.py), one per runtime."""
    plans = runtime.extras.get(PLANS_EXTRA)
    if plans is None:
        plans = runtime.extras[PLANS_EXTRA] = PlanCache()
    return plans
