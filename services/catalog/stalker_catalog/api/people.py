"""Routes for users, departments, groups and roles: read by any logged-in user, changed by admins only
(groups carry admin rights, roles carry project access)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from stalker_catalog.api.read_models import (
    DEPARTMENT_LIST,
    GROUP_LIST,
    ROLE_LIST,
    USER_LIST,
    collection_read,
    user_read,
)
from stalker_catalog.api.schemas.common import DepartmentRef, MemberRef
from stalker_catalog.api.schemas.people import (
    CollectionCreate,
    CollectionRead,
    CollectionUpdate,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from stalker_catalog.db.access import lock_admins
from stalker_catalog.db.models import Department, Group, Role, User
from stalker_catalog.db.people_queries import DEPARTMENT_LOAD, GROUP_LOAD, USER_LOAD
from stalker_catalog.db.repository import get_one
from stalker_catalog.security import PasswordPolicy
from stalker_catalog.service import people
from stalker_catalog.settings import CatalogSettings
from stalker_shared.etags import ETag, IfMatch
from stalker_shared.listing import (
    ListParams,
    Page,
    fetch_page,
    list_params,
    make_page,
    page_response,
)
from stalker_shared.requests import RuntimeDep, Work, admin, caller
from stalker_shared.resources import Resource
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork


def _password_policy(runtime: RuntimeDep) -> PasswordPolicy:
    settings = runtime.settings
    return settings.password_policy if isinstance(settings, CatalogSettings) else PasswordPolicy()


Policy = Annotated[PasswordPolicy, Depends(_password_policy)]


async def _locked_user(uow: UnitOfWork, user_id: int) -> User:
    """The user as its update or delete locks it, after the admins group, as those handlers lock them
    (db/access.py, lock_admins), so an If-Match check takes the locks in the same order."""
    await lock_admins(uow.session)
    return await get_one(uow.session, User, user_id, *USER_LOAD, for_update=True)


def _changes(body: Any) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if "password" in changes and changes["password"] is not None:
        changes["password"] = body.password.get_secret_value()
    return {k: v for k, v in changes.items() if v is not None}


def users_router() -> APIRouter:
    router = APIRouter(prefix="/v1/users", tags=["users"])

    @router.get("", response_model=Page[UserRead], description=USER_LIST.describe())
    async def list_users(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[UserRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(User).options(*USER_LOAD), USER_LIST, params)
        return page_response(make_page([user_read(u) for u in rows], total, params), params, UserRead)

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=UserRead,
        dependencies=[Depends(admin)],
    )
    async def create_user(uow: Work, body: UserCreate, etag: ETag, policy: Policy) -> UserRead:
        command = people.CreateUser(
            **body.model_dump(exclude={"password", "department_ids", "group_ids"}),
            password=body.password.get_secret_value(),
            department_ids=tuple(body.department_ids),
            group_ids=tuple(body.group_ids),
            password_policy=policy,
        )
        return etag.tag(user_read(await people.create_user(uow, command)))

    @router.get("/{user_id}", response_model=UserRead)
    async def get_user(uow: Work, user_id: Id, etag: ETag) -> UserRead:
        return etag.tag(user_read(await get_one(uow.session, User, user_id, *USER_LOAD)))

    @router.patch("/{user_id}", response_model=UserRead, dependencies=[Depends(admin)])
    async def update_user(
        uow: Work, user_id: Id, body: UserUpdate, etag: IfMatch, policy: Policy
    ) -> UserRead:
        await etag.check(lambda: _locked_user(uow, user_id))
        command = people.UpdateUser(user_id, _changes(body), password_policy=policy)
        return etag.tag(user_read(await people.update_user(uow, command)))

    @router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(admin)])
    async def delete_user(uow: Work, user_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: _locked_user(uow, user_id))
        await people.delete_user(uow, user_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get("/{user_id}/departments", response_model=list[CollectionRead])
    async def user_departments(uow: Work, user_id: Id) -> list[CollectionRead]:
        user = await get_one(uow.session, User, user_id, *USER_LOAD)
        departments = await people.load_collections(uow, Department, [d.id for d in user.departments])
        return [collection_read(d) for d in departments]

    @router.post(
        "/{user_id}/departments",
        response_model=UserRead,
        status_code=status.HTTP_201_CREATED,
        dependencies=[Depends(admin)],
    )
    async def join_department(uow: Work, user_id: Id, body: DepartmentRef) -> UserRead:
        """The same as adding the user to the department's members."""
        await people.add_member(uow, Department, body.department_id, user_id)
        uow.session.expire_all()  # the user's departments as they are now
        return user_read(await get_one(uow.session, User, user_id, *USER_LOAD))

    @router.delete(
        "/{user_id}/departments/{department_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        dependencies=[Depends(admin)],
    )
    async def leave_department(uow: Work, user_id: Id, department_id: Id) -> Response:
        await people.remove_member(uow, Department, department_id, user_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def collections_router(model: type[Department] | type[Group], admin_only: bool) -> APIRouter:
    name = "departments" if model is Department else "groups"
    spec = DEPARTMENT_LIST if model is Department else GROUP_LIST
    load = DEPARTMENT_LOAD if model is Department else GROUP_LOAD
    router = APIRouter(prefix=f"/v1/{name}", tags=[name])
    writer = admin if admin_only else caller
    create = people.create_department if model is Department else people.create_group
    update = people.update_department if model is Department else people.update_group

    @router.get("", response_model=Page[CollectionRead], description=spec.describe(), name=f"list_{name}")
    async def list_collections(
        uow: Work,
        params: Annotated[ListParams, Depends(list_params)],
    ) -> Page[CollectionRead] | JSONResponse:
        rows, total = await fetch_page(uow.session, select(model).options(*load), spec, params)
        page = make_page([collection_read(c) for c in rows], total, params)
        return page_response(page, params, CollectionRead)

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=CollectionRead,
        name=f"create_{name}",
        dependencies=[Depends(writer)],
    )
    async def create_collection(uow: Work, body: CollectionCreate, etag: ETag) -> CollectionRead:
        command = people.CreateCollection(body.name, body.description, tuple(body.user_ids))
        return etag.tag(collection_read(await create(uow, command)))

    @router.get("/{collection_id}", response_model=CollectionRead, name=f"get_{name}")
    async def get_collection(uow: Work, collection_id: Id, etag: ETag) -> CollectionRead:
        return etag.tag(collection_read(await get_one(uow.session, model, collection_id, *load)))

    async def locked(uow: UnitOfWork, collection_id: int) -> Any:
        if model is Group:  # the handler locks the admins group first: the same order here
            await lock_admins(uow.session)
        return await get_one(uow.session, model, collection_id, *load, for_update=True)

    @router.patch(
        "/{collection_id}",
        response_model=CollectionRead,
        name=f"update_{name}",
        dependencies=[Depends(writer)],
    )
    async def update_collection(
        uow: Work, collection_id: Id, body: CollectionUpdate, etag: IfMatch
    ) -> CollectionRead:
        await etag.check(lambda: locked(uow, collection_id))
        return etag.tag(collection_read(await update(uow, collection_id, _changes(body))))

    @router.delete(
        "/{collection_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        name=f"delete_{name}",
        dependencies=[Depends(writer)],
    )
    async def delete_collection(uow: Work, collection_id: Id, etag: IfMatch) -> Response:
        await etag.check(lambda: locked(uow, collection_id))
        await people.delete_collection(uow, model, collection_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    for alias in ("users", "members"):

        @router.get(f"/{{collection_id}}/{alias}", response_model=list[UserRead], name=f"{name}_{alias}")
        async def members(uow: Work, collection_id: Id) -> list[UserRead]:
            collection = await get_one(uow.session, model, collection_id, *load)
            users = await people.load_users(uow, [u.id for u in collection.users])
            return [user_read(u) for u in users]

        @router.post(
            f"/{{collection_id}}/{alias}",
            response_model=CollectionRead,
            status_code=status.HTTP_201_CREATED,
            name=f"{name}_add_{alias}",
            dependencies=[Depends(writer)],
        )
        async def add_member(uow: Work, collection_id: Id, body: MemberRef) -> CollectionRead:
            return collection_read(await people.add_member(uow, model, collection_id, body.user_id))

        @router.delete(
            f"/{{collection_id}}/{alias}/{{user_id}}",
            status_code=status.HTTP_204_NO_CONTENT,
            name=f"{name}_remove_{alias}",
            dependencies=[Depends(writer)],
        )
        async def remove_member(uow: Work, collection_id: Id, user_id: Id) -> Response:
            await people.remove_member(uow, model, collection_id, user_id)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


async def _create_role(uow: UnitOfWork, body: RoleCreate) -> Role:
    return await people.create_role(uow, body.name, body.description, body.access)


ROLES = Resource(
    path="roles",
    id_name="role_id",
    model=Role,
    read_schema=RoleRead,
    create_schema=RoleCreate,
    update_schema=RoleUpdate,
    list_spec=ROLE_LIST,
    create=_create_role,
    update=people.update_role,
    delete=people.delete_role,
)
