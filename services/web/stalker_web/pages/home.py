"""The landing page: the projects the user may see, with their progress, each a way into its tree and
schedule; a page of them at a time."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from stalker_web.deps import SignedIn
from stalker_web.forms import page_count, page_number

router = APIRouter(tags=["home"])
PAGE_SIZE = 100


@router.get("/")
async def home(page: SignedIn) -> Response:
    number = page_number(page.request.query_params.get("page"))
    query = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE, "sort": "name"}
    projects = await page.api.get("/catalog/v1/projects", query)
    pages = page_count(projects["total"], PAGE_SIZE)
    if number > pages:  # past the end: the last page
        return page.redirect(f"/?page={pages}" if pages > 1 else "/")
    zone = await page.zone()
    return page.render(
        "home.html", projects=projects["items"], total=projects["total"], zone=zone, page=number, pages=pages
    )
