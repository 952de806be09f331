"""Routes for versions: created under their task (the server gives the number and paths), listed in
order, the latest and latest published, published with PATCH, deleted. Members of the version's project
read them; who may create, change and delete is the project role's (stalker_shared.access)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse

from stalker_shared.auth import Principal
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import ListParams, ListSpec, Page, list_params, make_page, page_response
from stalker_shared.requests import RuntimeDep, Work, principal
from stalker_shared.types import BigId, Id, Word
from stalker_versions.api.common import Catalog, Plans, bearer_token
from stalker_versions.api.schemas.versions import VersionCreate, VersionRead, VersionUpdate
from stalker_versions.db.models import Version
from stalker_versions.db.queries import get_one
from stalker_versions.domain.paths import OperatingSystem
from stalker_versions.domain.version_paths import absolute_or_none
from stalker_versions.service import version_changes, version_reads
from stalker_versions.service.version_reads import DEFAULT_TAKE, VersionRecord
from stalker_versions.service.versions import CreateVersion, create_version

IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,200}$"
# `take_name=Main` is the take filter; `os` is the route's own parameter (the paths' OS), not a filter.
VERSION_LIST = ListSpec(
    {
        "id": Version.id,
        "take_name": Version.take_name,
        "version_number": Version.version_number,
        "is_published": Version.is_published,
        "extension": Version.extension,
        "nice_name": Version.nice_name,
        "filename": Version.filename,
        "description": Version.description,
        "created_by_id": Version.created_by_id,
        "parent_id": Version.parent_id,
        "repository_id": Version.repository_id,
        "template_id": Version.template_id,
    },
    default_sort=("take_name", "version_number"),
    query=frozenset({"os"}),
)


def version_read(record: VersionRecord, os: OperatingSystem) -> VersionRead:
    version = record.version
    fields = {k: getattr(version, k) for k in VersionRead.model_fields if hasattr(version, k)}
    return VersionRead.model_validate(
        {
            **fields,
            "os": os,
            "absolute_path": absolute_or_none(version.path, record.repository, os),
            "absolute_full_path": absolute_or_none(version.full_path, record.repository, os),
            "input_ids": record.input_ids,
            "output_ids": record.output_ids,
        }
    )


Claims = Annotated[Principal, Depends(principal)]


def task_versions_router() -> APIRouter:
    router = APIRouter(prefix="/v1/tasks", tags=["versions"], dependencies=[Depends(principal)])

    @router.post(
        "/{task_id}/versions",
        status_code=status.HTTP_201_CREATED,
        response_model=VersionRead,
        responses={200: {"description": "A retry with the same Idempotency-Key: the version it made"}},
    )
    async def create(
        runtime: RuntimeDep,
        catalog: Catalog,
        plans: Plans,
        task_id: Id,
        body: VersionCreate,
        request: Request,
        response: Response,
        claims: Claims,
        etag: ETag,
        os: OperatingSystem = Query("linux"),
        idempotency_key: str | None = Header(None, alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY),
    ) -> VersionRead:
        # Only the token's claims here: the handler reads the caller's access inside its own units of
        # work (the one transaction that makes the version), not in one more.
        command = CreateVersion(
            task_id=task_id,
            created_by_id=claims.user_id,
            take_name=body.take_name,
            extension=body.extension,
            description=body.description,
            parent_id=body.parent_id,
            input_ids=tuple(body.input_ids),
            output_ids=tuple(body.output_ids),
            idempotency_key=idempotency_key,
        )
        outcome = await create_version(
            runtime.unit_of_work,
            catalog,
            plans,
            command,
            claims,
            bearer_token(request),
        )
        response.headers["Location"] = f"{runtime.definition.prefix}/v1/versions/{outcome.record.version.id}"
        if not outcome.created:
            response.status_code = status.HTTP_200_OK
            response.headers["Idempotent-Replayed"] = "true"
        return etag.tag(version_read(outcome.record, os))

    @router.get("/{task_id}/versions", response_model=Page[VersionRead], description=VERSION_LIST.describe())
    async def list_versions(
        task_id: Id,
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
        os: OperatingSystem = Query("linux", description="The OS of the absolute paths; not a filter"),
    ) -> Page[VersionRead] | JSONResponse:
        found, total = await version_reads.task_versions(uow.session, task_id, VERSION_LIST, params)
        page = make_page([version_read(r, os) for r in found], total, params)
        return page_response(page, params, VersionRead)

    @router.get("/{task_id}/versions/latest", response_model=VersionRead)
    async def latest(
        task_id: Id,
        uow: Work,
        etag: ETag,
        os: OperatingSystem = Query("linux"),
        take_name: Annotated[Word, Query()] = DEFAULT_TAKE,
    ) -> VersionRead:
        record = await version_reads.latest_version(uow.session, task_id, take_name, published=False)
        return etag.tag(version_read(record, os))

    @router.get("/{task_id}/versions/latest-published", response_model=VersionRead)
    async def latest_published(
        task_id: Id,
        uow: Work,
        etag: ETag,
        os: OperatingSystem = Query("linux"),
        take_name: Annotated[Word, Query()] = DEFAULT_TAKE,
    ) -> VersionRead:
        record = await version_reads.latest_version(uow.session, task_id, take_name, published=True)
        return etag.tag(version_read(record, os))

    return router


def versions_router() -> APIRouter:
    router = APIRouter(prefix="/v1/versions", tags=["versions"], dependencies=[Depends(principal)])

    @router.get("/{version_id}", response_model=VersionRead)
    async def get_version(
        version_id: BigId, uow: Work, etag: ETag, os: OperatingSystem = Query("linux")
    ) -> VersionRead:
        return etag.tag(version_read(await version_reads.one_record(uow.session, version_id), os))

    @router.patch("/{version_id}", response_model=VersionRead)
    async def update_version(
        version_id: BigId, body: VersionUpdate, uow: Work, etag: IfMatch, os: OperatingSystem = Query("linux")
    ) -> VersionRead:
        await etag.check(lambda: get_one(uow.session, Version, version_id, for_update=True))
        command = version_changes.UpdateVersion(
            version_id=version_id,
            is_published=body.is_published,
            description=body.description,
            input_ids=tuple(body.input_ids) if body.input_ids is not None else None,
            output_ids=tuple(body.output_ids) if body.output_ids is not None else None,
        )
        return etag.tag(version_read(await version_changes.update_version(uow, command), os))

    @router.delete("/{version_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_version(version_id: BigId, uow: Work, etag: IfMatch) -> Response:
        await etag.check(lambda: get_one(uow.session, Version, version_id, for_update=True))
        await version_changes.delete_version(uow, version_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
