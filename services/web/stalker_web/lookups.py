"""What several pages look up the same way: the studio, rows by id (names beside ids), a task's
ancestors. Each is one or a few catalog calls as the user."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stalker_web.api import Api, ApiError

CATALOG = "/catalog/v1"
IDS_PER_CALL = 500  # under the catalog's limit of ids in one `__in` filter
ANCESTORS_MAX = 64  # deeper than any show's tree: a loop in bad data stops here


async def studio(api: Api) -> dict[str, Any]:
    """The studio (time zone, working hours, `now`); a plain UTC one when none is set up yet."""
    found = await api.get(f"{CATALOG}/studios", {"limit": 1})
    items = found.get("items") or []
    return dict(items[0]) if items else {"id": None, "time_zone": "UTC", "working_hours": {}}


async def the_studio(api: Api) -> dict[str, Any]:
    """The studio, for what needs one to exist (scheduling)."""
    found = await studio(api)
    if found["id"] is None:
        raise ApiError(409, "Conflict", "there is no studio to schedule yet")
    return found


async def rows_by_id(
    api: Api, path: str, ids: Iterable[int | None], fields: str = "id,name"
) -> dict[int, dict[str, Any]]:
    """Rows of a catalog list by id, for showing names next to ids."""
    wanted = sorted({i for i in ids if i is not None})
    rows: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), IDS_PER_CALL):
        chunk = ",".join(map(str, wanted[start : start + IDS_PER_CALL]))
        found = await api.get(path, {"id__in": chunk, "fields": fields, "limit": IDS_PER_CALL})
        rows.update({row["id"]: row for row in found["items"]})
    return rows


async def names(
    api: Api, path: str, ids: Iterable[int | None], known: Mapping[int, str] | None = None
) -> dict[int, str]:
    """Names by id, from `known` (a project's members, say) and look-ups for the rest."""
    found = dict(known or {})
    rows = await rows_by_id(api, path, (i for i in ids if i not in found))
    return found | {i: row["name"] for i, row in rows.items()}


async def ancestors(api: Api, parent_id: int | None) -> list[dict[str, Any]]:
    """The chain of containers from the top of the tree down to `parent_id` (included)."""
    chain: list[dict[str, Any]] = []
    while parent_id is not None and len(chain) < ANCESTORS_MAX:
        task = await api.get(f"{CATALOG}/tasks/{parent_id}")
        chain.insert(0, task)
        parent_id = task["parent_id"]
    return chain
