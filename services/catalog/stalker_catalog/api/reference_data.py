"""Routes for reference_data (being written)."""

from fastapi import APIRouter

from stalker_shared.runtime import Runtime


def statuses_router(runtime: Runtime) -> APIRouter:
    return APIRouter()


def status_lists_router(runtime: Runtime) -> APIRouter:
    return APIRouter()


def types_router(runtime: Runtime) -> APIRouter:
    return APIRouter()


def image_formats_router(runtime: Runtime) -> APIRouter:
    return APIRouter()
