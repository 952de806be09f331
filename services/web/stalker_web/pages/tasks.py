"""The task page: its fields, where it sits in the tree, what it depends on, its notes and its versions with
their paths on the viewer's operating system."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response

from stalker_web import lookups
from stalker_web.api import Api
from stalker_web.deps import SignedIn
from stalker_web.forms import page_count, page_number

router = APIRouter(tags=["tasks"])

# The versions service's names for the operating systems, as the select shows them.
SYSTEMS = {"windows": "Windows", "macos": "macOS", "linux": "Linux"}
VERSIONS_PAGE = 50
NOTES_SHOWN = 50


def viewer_system(user_agent: str) -> str:
    """The operating system a browser runs on, from its User-Agent; Linux unless it says otherwise."""
    if "Windows" in user_agent:
        return "windows"
    if "Macintosh" in user_agent or "Mac OS X" in user_agent:
        return "macos"
    return "linux"


async def _versions(api: Api, task_id: int, system: str, number: int) -> dict[str, Any]:
    """A page of the task's versions, newest of each take first."""
    params = {
        "os": system,
        "limit": VERSIONS_PAGE,
        "offset": (number - 1) * VERSIONS_PAGE,
        "sort": "take_name,-version_number",
    }
    return dict(await api.get(f"/versions/v1/tasks/{task_id}/versions", params))


async def _notes(api: Api, task_id: int) -> dict[str, Any]:
    """The newest notes on the task, its versions and its reviews."""
    return dict(await api.get("/catalog/v1/notes", {"task_id": task_id, "limit": NOTES_SHOWN}))


def _people(task: Mapping[str, Any], versions: list[dict[str, Any]], notes: list[dict[str, Any]]) -> set[int]:
    ids = set(task["resource_ids"]) | set(task["computed_resource_ids"]) | set(task["responsible_ids"])
    ids |= {v["created_by_id"] for v in versions if v.get("created_by_id")}
    return ids | {n["author_id"] for n in notes if n.get("author_id")}


@router.get("/tasks/{task_id}")
async def task_page(page: SignedIn, task_id: int) -> Response:
    api, query = page.api, page.request.query_params
    chosen = query.get("os", "")
    system = chosen if chosen in SYSTEMS else viewer_system(page.request.headers.get("user-agent", ""))
    number = page_number(query.get("versions_page"))
    task = await api.get(f"/catalog/v1/tasks/{task_id}")  # 404 when not the user's
    project, zone, path, versions, notes, children = await asyncio.gather(
        api.get(f"/catalog/v1/projects/{task['project_id']}"),
        page.zone(),
        lookups.ancestors(api, task["parent_id"]),
        _versions(api, task_id, system, number),
        _notes(api, task_id),
        _children(api, task),
    )
    pages = page_count(versions["total"], VERSIONS_PAGE)
    if number > pages:  # past the end (a bookmark of a page since emptied): its last page
        return page.redirect(f"/tasks/{task_id}?{urlencode({**query, 'versions_page': pages})}")
    depends = await lookups.names(api, "/catalog/v1/tasks", (d["depends_on_id"] for d in task["depends"]))
    names = await lookups.names(api, "/catalog/v1/users", _people(task, versions["items"], notes["items"]))
    return page.render(
        "tasks/task.html",
        task=task,
        project=project,
        zone=zone,
        path=path,
        depends=depends,
        names=names,
        versions=versions["items"],
        versions_total=versions["total"],
        versions_page=number,
        versions_pages=pages,
        notes=notes["items"],
        notes_total=notes["total"],
        children=children,
        system=system,
        systems=SYSTEMS,
    )


async def _children(api: Api, task: Mapping[str, Any]) -> int:
    """How many tasks a container holds (shown with a link into the tree)."""
    if not task["is_container"]:
        return 0
    found = await api.get("/catalog/v1/tasks", {"parent_id": task["id"], "limit": 1, "fields": "id"})
    return int(found["total"])
