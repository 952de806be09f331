"""Routes for studio (being written)."""

from fastapi import APIRouter

from stalker_shared.runtime import Runtime


def studios_router(runtime: Runtime) -> APIRouter:
    return APIRouter()
