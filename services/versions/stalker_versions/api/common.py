"""What every router of the service shares: the caller's token, and the service's own collaborators
(the catalog client and the plan cache) as request dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from stalker_shared.requests import RuntimeDep
from stalker_shared.runtime import Runtime
from stalker_versions.catalog_client import CatalogLookup, HttpCatalog
from stalker_versions.service.version_plans import PlanCache
from stalker_versions.settings import VersionsSettings


@dataclass
class VersionsState:
    """One per runtime: the catalog client (made from the settings on first use unless one is given, as
    tests do) and this process's cache of version plans (service/version_plans.py)."""

    catalog: CatalogLookup | None = None
    plans: PlanCache = field(default_factory=PlanCache)


def versions_state(runtime: Runtime) -> VersionsState:
    state = runtime.definition.state
    assert isinstance(state, VersionsState)
    return state


def bearer_token(request: Request) -> str | None:
    """The caller's raw token, forwarded when the catalog must be asked."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def catalog_lookup(runtime: RuntimeDep) -> CatalogLookup:
    state = versions_state(runtime)
    if state.catalog is None:
        settings = runtime.settings
        assert isinstance(settings, VersionsSettings)
        state.catalog = HttpCatalog(settings.catalog_url, settings.catalog_timeout_seconds)
    return state.catalog


def plan_cache(runtime: RuntimeDep) -> PlanCache:
    return versions_state(runtime).plans


Catalog = Annotated[CatalogLookup, Depends(catalog_lookup)]
Plans = Annotated[PlanCache, Depends(plan_cache)]
