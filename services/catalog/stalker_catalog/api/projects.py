"""Routes for projects (being written)."""

from fastapi import APIRouter

from stalker_shared.runtime import Runtime


def projects_router(runtime: Runtime) -> APIRouter:
    return APIRouter()
