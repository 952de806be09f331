"""A service's API docs page, served with no public CDN (studios run offline networks): FastAPI's
self-hosting recipe with Swagger UI's files from the pinned `swagger-ui-py` package, served by the
service itself under its prefix."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles


def swagger_ui_files() -> Path:
    """The folder of Swagger UI's JavaScript and CSS inside the installed package (found without
    importing it: its own module wires Swagger UI into other frameworks, which we do not use)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install_docs(app: FastAPI, prefix: str) -> None:
    """`<prefix>/docs` and its OAuth2 redirect page, and Swagger UI's files at `<prefix>/docs-assets`."""
    assets = f"{prefix}/docs-assets"
    redirect = f"{prefix}/docs/oauth2-redirect"
    app.mount(assets, StaticFiles(directory=swagger_ui_files()), name="docs-assets")

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "",
            title=f"{app.title} - API docs",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            oauth2_redirect_url=redirect,
            # Swagger UI would otherwise send the document to a public validator for its badge.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(redirect, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
