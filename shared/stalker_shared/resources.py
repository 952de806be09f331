"""One create/read/update/delete/list path for the plain resources (statuses, types, roles, repositories
and the like): a resource is its schemas, its list spec, its handlers and who may write it; the routes
are the same for all of them and go through the one request path (requests.py).

Routes made here (under `/v1/<path>`, the id named `<id_name>` as the OpenAPI document shows it):

    GET    ""            the list (filters, sort, fields, paging: listing.py)   any logged-in user
    POST   ""            create                                                  `writers`
    GET    /{id}         one                                                     any logged-in user
    PATCH  /{id}         change the fields the body sets                        `writers`
    DELETE /{id}         delete                                                  `writers`

One item's GET, POST and PATCH answer its `ETag`; PATCH and DELETE honour `If-Match` (etags.py), checked
on the row locked as the handlers lock it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.base import ExecutableOption

from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import (
    ListParams,
    ListSpec,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.repository import get_one
from stalker_shared.requests import Work, admin
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork

Create = Callable[[UnitOfWork, Any], Awaitable[Any]]
Update = Callable[[UnitOfWork, int, dict[str, Any]], Awaitable[Any]]
Delete = Callable[[UnitOfWork, int], Awaitable[None]]


def changes_of(body: BaseModel, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH body sets; an explicit null only counts for the fields that may be cleared."""
    return {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k in nullable}


@dataclass(frozen=True)
class Resource:
    path: str  # "statuses": routes under /v1/statuses
    id_name: str  # "status_id"
    model: type[DeclarativeBase]
    read_schema: type[BaseModel]
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    list_spec: ListSpec
    create: Create  # (uow, body) -> the new row
    update: Update  # (uow, id, changes) -> the changed row
    delete: Delete
    read: Callable[[Any], BaseModel] | None = None  # row -> read schema; by default from its attributes
    load: Sequence[ExecutableOption] = ()
    writers: Callable[..., Any] = admin  # the dependency a write needs
    nullable: frozenset[str] = field(default_factory=frozenset)  # PATCH fields an explicit null clears
    tag: str | None = None

    def shaped(self, row: Any) -> BaseModel:
        return self.read(row) if self.read is not None else self.read_schema.model_validate(row)


def resource_router(resource: Resource) -> APIRouter:
    r = resource
    router = APIRouter(prefix=f"/v1/{r.path}", tags=[r.tag or r.path.replace("-", " ")])
    writers = [Depends(r.writers)]
    one = f"/{{{r.id_name}}}"
    noun = r.path.replace("-", "_")

    async def list_all(uow: Work, params: Annotated[ListParams, Depends(list_params)]) -> Any:
        rows, total = await fetch_page(uow.session, select(r.model).options(*r.load), r.list_spec, params)
        return page_response(make_page([r.shaped(row) for row in rows], total, params), params, r.read_schema)

    async def create(uow: Work, body: BaseModel, etag: ETag) -> Any:
        return etag.tag(r.shaped(await r.create(uow, body)))

    async def get(uow: Work, entity_id: int, etag: ETag) -> Any:
        return etag.tag(r.shaped(await get_one(uow.session, r.model, entity_id, *r.load)))

    def locked(uow: UnitOfWork, entity_id: int) -> Awaitable[Any]:
        return get_one(uow.session, r.model, entity_id, *r.load, for_update=True)

    async def update(uow: Work, entity_id: int, body: BaseModel, etag: IfMatch) -> Any:
        await etag.check(lambda: locked(uow, entity_id))
        return etag.tag(r.shaped(await r.update(uow, entity_id, changes_of(body, r.nullable))))

    async def delete(uow: Work, entity_id: int, etag: IfMatch) -> Response:
        await etag.check(lambda: locked(uow, entity_id))
        await r.delete(uow, entity_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    page: Any = Page[r.read_schema]  # type: ignore[name-defined]
    router.get("", response_model=page, name=f"list_{noun}", description=r.list_spec.describe())(
        _typed(list_all)
    )
    router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=r.read_schema,
        name=f"create_{noun}",
        dependencies=writers,
    )(_typed(create, body=r.create_schema))
    router.get(one, response_model=r.read_schema, name=f"get_{noun}")(_typed(get, entity_id=r.id_name))
    router.patch(one, response_model=r.read_schema, name=f"update_{noun}", dependencies=writers)(
        _typed(update, entity_id=r.id_name, body=r.update_schema)
    )
    no_content = status.HTTP_204_NO_CONTENT
    router.delete(
        one, status_code=no_content, response_model=None, name=f"delete_{noun}", dependencies=writers
    )(_typed(delete, entity_id=r.id_name, returns=Response))
    return router


def _typed(
    endpoint: Callable[..., Awaitable[Any]],
    *,
    entity_id: str | None = None,
    body: type[BaseModel] | None = None,
    returns: Any = Any,
) -> Callable[..., Awaitable[Any]]:
    """The endpoint as FastAPI should see it: the id parameter under the resource's own name (the
    path's), the body as the resource's schema. FastAPI reads `__signature__`."""
    signature = inspect.signature(endpoint)
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.name == "entity_id" and entity_id is not None:
            parameter = parameter.replace(name=entity_id, annotation=Id)
        elif parameter.name == "body" and body is not None:
            parameter = parameter.replace(annotation=body)
        elif parameter.name == "uow":
            parameter = parameter.replace(annotation=Work)
        elif parameter.name == "params":
            parameter = parameter.replace(annotation=Annotated[ListParams, Depends(list_params)])
        parameters.append(parameter)

    async def call(**values: Any) -> Any:
        if entity_id is not None:
            values["entity_id"] = values.pop(entity_id)
        return await endpoint(**values)

    call.__signature__ = signature.replace(parameters=parameters, return_annotation=returns)  # type: ignore[attr-defined]
    call.__name__ = endpoint.__name__
    return call
