"""The project tree: one level of the task hierarchy at a time (or every task, flat), filtered, sorted and
paged by the catalog, so a show of 15,000 tasks costs one page of rows and a few small look-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response

from stalker_web import lookups
from stalker_web.api import Api, ApiError
from stalker_web.deps import SignedIn
from stalker_web.forms import page_count, page_number, positive

USERS, TASKS = "/catalog/v1/users", "/catalog/v1/tasks"
router = APIRouter(tags=["projects"])

PAGE_SIZE = 100
# The tree's column -> the catalog's sort key.
SORTS = {
    "name": "name",
    "status": "status",
    "start": "computed_start",
    "end": "computed_end",
    "priority": "priority",
}
NAME_MAX = 255


@dataclass(frozen=True)
class TreeQuery:
    """What the tree shows, as its bookmarkable query string."""

    parent: int | None = None
    flat: bool = False
    status: str = ""
    assignee: int | None = None
    name: str = ""
    sort: str = ""
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> TreeQuery:
        """Lenient: a value that means nothing (a typo in a bookmark) is left out, never an error."""
        sort = query.get("sort", "")
        return cls(
            parent=positive(query.get("parent")),
            flat=query.get("flat", "") in ("1", "on", "true"),
            status=query.get("status", "").strip()[:16],
            assignee=positive(query.get("assignee")),
            name=query.get("name", "").strip()[:NAME_MAX],
            sort=sort if sort.lstrip("-") in SORTS else "",
            page=page_number(query.get("page")),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.status or self.assignee or self.name)

    def listing(self, project_id: int) -> dict[str, Any]:
        """The catalog's list parameters for this page of the tree."""
        params: dict[str, Any] = {"project_id": project_id, "limit": PAGE_SIZE}
        params["offset"] = (self.page - 1) * PAGE_SIZE
        if not self.flat:
            params["parent_id"] = self.parent if self.parent is not None else "null"
        if self.status:
            params["status"] = self.status
        if self.name:
            params["name__contains"] = self.name
        if self.sort:
            descending = "-" if self.sort.startswith("-") else ""
            params["sort"] = descending + SORTS[self.sort.lstrip("-")]
        return params

    def url(self, **changes: Any) -> str:
        """This view's query string with some values changed; the defaults are left out."""
        changed = replace(self, **changes)
        values = {
            "parent": changed.parent if not changed.flat else None,
            "flat": "1" if changed.flat else None,
            "status": changed.status,
            "assignee": changed.assignee,
            "name": changed.name,
            "sort": changed.sort,
            "page": changed.page if changed.page > 1 else None,
        }
        kept = {k: v for k, v in values.items() if v not in (None, "")}
        return "?" + urlencode(kept) if kept else "?"

    def sort_url(self, column: str) -> str:
        """The link of a column's header: ascending first, then descending."""
        return self.url(sort=f"-{column}" if self.sort == column else column, page=1)

    def aria_sort(self, column: str) -> str | None:
        if self.sort == column:
            return "ascending"
        return "descending" if self.sort == f"-{column}" else None


async def _task_statuses(api: Api) -> list[str]:
    lists = await api.get("/catalog/v1/status-lists", {"target_entity_type": "Task", "limit": 20})
    for status_list in lists["items"]:
        if status_list.get("is_default"):
            return list(status_list["status_codes"])
    return list(lists["items"][0]["status_codes"]) if lists["items"] else []


async def _rows(api: Api, project_id: int, query: TreeQuery) -> dict[str, Any]:
    """One page of the tree's rows; a filter the catalog refuses comes back as the page's error."""
    params = query.listing(project_id)
    path = "/catalog/v1/tasks"
    if query.assignee is not None:
        path = f"/catalog/v1/users/{query.assignee}/tasks"
        params["as"] = "resource"
    try:
        return dict(await api.get(path, params))
    except ApiError as exc:
        if exc.status not in (404, 422):
            raise
        field = exc.field or ("assignee" if exc.status == 404 else "")
        message = f"{field}: {exc.detail}" if field else exc.detail
        return {"items": [], "total": 0, "error": message, "status": 422}


@router.get("/projects/{project_id}")
async def project_tree(page: SignedIn, project_id: int) -> Response:
    query = TreeQuery.parse(page.request.query_params)
    api = page.api
    project = await api.get(f"/catalog/v1/projects/{project_id}")  # 404 when not the user's
    zone, statuses, members, path = await asyncio.gather(
        page.zone(),
        _task_statuses(api),
        api.get(f"/catalog/v1/projects/{project_id}/users"),
        lookups.ancestors(api, None if query.flat else query.parent),
    )
    if path and path[-1]["project_id"] != project_id:
        raise ApiError(404, "Not Found", "no such task in this project")
    rows = await _rows(api, project_id, query)
    pages = page_count(rows["total"], PAGE_SIZE)
    if query.page > pages:  # past the end (a bookmark of a page since emptied): its last page
        return page.redirect(f"/projects/{project_id}{query.url(page=pages).rstrip('?')}")
    tasks = rows["items"]
    known = {m["user_id"]: m["name"] for m in members}
    names = await lookups.names(api, USERS, (r for t in tasks for r in t["resource_ids"]), known)
    parents = await lookups.names(api, TASKS, (t["parent_id"] for t in tasks)) if query.flat else {}
    return page.render(
        "projects/tree.html",
        rows.get("status", 200),
        project=project,
        zone=zone,
        query=query,
        statuses=statuses,
        members=sorted(members, key=lambda m: m["name"].lower()),
        path=path,
        tasks=tasks,
        total=rows["total"],
        pages=pages,
        names=names,
        parents=parents,
        error=rows.get("error"),
    )
