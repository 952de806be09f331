"""Routes for tasks (being written)."""

from fastapi import APIRouter

from stalker_shared.runtime import Runtime


def tasks_router(runtime: Runtime) -> APIRouter:
    return APIRouter()
