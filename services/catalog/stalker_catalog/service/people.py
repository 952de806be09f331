"""Handlers for users, departments, groups and roles: one transaction each, events in the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stalker_catalog.db import people_queries
from stalker_catalog.db.models import (
    Department,
    Group,
    ProjectUser,
    Review,
    Role,
    TimeLog,
    User,
    task_alternative_resource,
    task_resource,
    task_responsible,
    task_watcher,
)
from stalker_catalog.db.people_queries import DEPARTMENT_LOAD, GROUP_LOAD, USER_LOAD
from stalker_catalog.db.repository import get_many, get_one, ids_where, name_holder
from stalker_catalog.domain.errors import Conflict, StillReferenced, ValidationFailed
from stalker_catalog.domain.names import normalize_login, normalize_name, validate_email
from stalker_catalog.security import STRICT_PASSWORDS, PasswordPolicy, hash_password
from stalker_catalog.service.admins import admins_before_change, revoke_tokens, settle_admins
from stalker_catalog.service.events import touch
from stalker_catalog.service.projects import projects_with_role, republish_projects_of_role
from stalker_shared.access import DEFAULT_ROLE, ProjectRole
from stalker_shared.contracts.catalog import (
    DepartmentCreated,
    DepartmentDeleted,
    DepartmentUpdated,
    GroupCreated,
    GroupDeleted,
    GroupUpdated,
    RoleCreated,
    RoleDeleted,
    RoleUpdated,
    UserCreated,
    UserDeleted,
    UserUpdated,
)
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CreateUser:
    name: str
    login: str
    email: str
    password: str
    description: str = ""
    efficiency: float = 1.0
    rate: float = 0.0
    department_ids: tuple[int, ...] = ()
    group_ids: tuple[int, ...] = ()
    password_policy: PasswordPolicy = STRICT_PASSWORDS


@dataclass(frozen=True)
class UpdateUser:
    user_id: int
    changes: dict[str, Any] = field(default_factory=dict)
    password_policy: PasswordPolicy = STRICT_PASSWORDS


async def _check_unique_user(uow: UnitOfWork, login: str, email: str, user_id: int | None = None) -> None:
    session = uow.session
    for column, value in ((User.login, login), (User.email, email)):
        clash = await people_queries.user_with(session, column, value, user_id)
        if clash is not None:
            raise Conflict(f"{column.key} {value!r} is already used by user {clash}", field=column.key)


async def create_user(uow: UnitOfWork, command: CreateUser) -> User:
    login, email = normalize_login(command.login), validate_email(command.email)
    await _check_unique_user(uow, login, email)
    command.password_policy.check(command.password, login)
    session = uow.session
    user = User(
        name=normalize_name(command.name),
        login=login,
        email=email,
        password_hash=await hash_password(command.password, command.password_policy.cost),
        description=command.description,
        efficiency=command.efficiency,
        rate=command.rate,
        departments=await get_many(session, Department, command.department_ids, "department_ids"),
        groups=await get_many(session, Group, command.group_ids, "group_ids"),
    )
    session.add(user)
    await session.flush()
    await uow.publish(UserCreated.model_validate(user))
    for department in user.departments:
        await _publish_members_changed(uow, department)
    return user


async def update_user(uow: UnitOfWork, command: UpdateUser) -> User:
    """A new password, a deactivation or a change of admin rights revokes the user's tokens."""
    session = uow.session
    changes = dict(command.changes)
    rights_change = "group_ids" in changes or "active" in changes
    admins = await admins_before_change(uow) if rights_change else None
    user = await get_one(session, User, command.user_id, *USER_LOAD, for_update=True)
    revoke = False
    if "name" in changes:
        user.name = normalize_name(changes.pop("name"))
    login = normalize_login(changes.pop("login")) if "login" in changes else user.login
    email = validate_email(changes.pop("email")) if "email" in changes else user.email
    await _check_unique_user(uow, login, email, user.id)
    user.login, user.email = login, email
    if "password" in changes:
        password = changes.pop("password")
        command.password_policy.check(password, login)
        user.password_hash = await hash_password(password, command.password_policy.cost)
        revoke = True
    if "active" in changes:
        active = bool(changes.pop("active"))
        revoke = revoke or active != user.active
        user.active = active
    touched_departments = set(user.departments)
    if "department_ids" in changes:
        user.departments = await get_many(
            session, Department, changes.pop("department_ids"), "department_ids"
        )
        touched_departments ^= set(user.departments)
    if "group_ids" in changes:
        user.groups = await get_many(session, Group, changes.pop("group_ids"), "group_ids")
    for key, value in changes.items():
        setattr(user, key, value)
    touch(user)
    await session.flush()
    if admins is not None:
        await settle_admins(uow, admins)
    if revoke:
        await revoke_tokens(uow, [user.id])
    await uow.publish(UserUpdated.model_validate(user))
    for department in touched_departments:
        await _publish_members_changed(uow, department)
    return user


async def delete_user(uow: UnitOfWork, user_id: int) -> None:
    session = uow.session
    admins = await admins_before_change(uow)
    user = await get_one(session, User, user_id, for_update=True)
    references = {
        "task.resources": await ids_where(
            session, task_resource.c.task_id, task_resource.c.user_id == user_id
        ),
        "task.alternative_resources": await ids_where(
            session, task_alternative_resource.c.task_id, task_alternative_resource.c.user_id == user_id
        ),
        "project.users": await ids_where(session, ProjectUser.project_id, ProjectUser.user_id == user_id),
        "time_logs": await ids_where(session, TimeLog.id, TimeLog.resource_id == user_id),
        "reviews": await ids_where(session, Review.id, Review.reviewer_id == user_id),
        "task.responsible": await ids_where(
            session, task_responsible.c.task_id, task_responsible.c.user_id == user_id
        ),
        "task.watchers": await ids_where(session, task_watcher.c.task_id, task_watcher.c.user_id == user_id),
    }
    found = {k: list(v) for k, v in references.items() if v}
    if found:
        where = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in found.items())
        raise StillReferenced(f"user {user.login!r} (id {user_id}) is still referenced by {where}", found)
    revision = user.revision
    await session.delete(user)
    await session.flush()
    await settle_admins(uow, admins)
    await uow.publish(UserDeleted(id=user_id, revision=revision + 1))


# Departments and groups: named collections of users, editable from either side.


@dataclass(frozen=True)
class CreateCollection:
    name: str
    description: str = ""
    user_ids: tuple[int, ...] = ()


async def create_department(uow: UnitOfWork, command: CreateCollection) -> Department:
    department: Department = await _create_collection(uow, Department, command)
    await uow.publish(DepartmentCreated.model_validate(department))
    await _publish_users(uow, department.users)
    return department


async def create_group(uow: UnitOfWork, command: CreateCollection) -> Group:
    group: Group = await _create_collection(uow, Group, command)
    await uow.publish(GroupCreated.model_validate(group))
    await _publish_users(uow, group.users)
    return group


async def _create_collection(
    uow: UnitOfWork, model: type[Department] | type[Group], command: CreateCollection
) -> Any:
    session = uow.session
    name = normalize_name(command.name)
    await _check_unique_name(uow, model, name)
    collection = model(
        name=name,
        description=command.description,
        users=await get_many(session, User, command.user_ids, "user_ids"),
    )
    session.add(collection)
    await session.flush()
    return collection


async def update_department(uow: UnitOfWork, department_id: int, changes: dict[str, Any]) -> Department:
    department = await get_one(uow.session, Department, department_id, *DEPARTMENT_LOAD, for_update=True)
    touched = await _update_collection(uow, department, changes)
    await uow.publish(DepartmentUpdated.model_validate(department))
    await _publish_users(uow, touched)
    return department


async def update_group(uow: UnitOfWork, group_id: int, changes: dict[str, Any]) -> Group:
    admins = await admins_before_change(uow)  # a group's members or name carry admin rights
    group = await get_one(uow.session, Group, group_id, *GROUP_LOAD, for_update=True)
    touched = await _update_collection(uow, group, changes)
    await settle_admins(uow, admins)
    await uow.publish(GroupUpdated.model_validate(group))
    await _publish_users(uow, touched)
    return group


async def _update_collection(
    uow: UnitOfWork, collection: Department | Group, changes: dict[str, Any]
) -> list[User]:
    changes = dict(changes)
    if "name" in changes:
        name = normalize_name(changes.pop("name"))
        await _check_unique_name(uow, type(collection), name, collection.id)
        collection.name = name
    touched: set[User] = set()
    if "user_ids" in changes:
        before = set(collection.users)
        collection.users = await get_many(uow.session, User, changes.pop("user_ids"), "user_ids")
        touched = before ^ set(collection.users)
    for key, value in changes.items():
        setattr(collection, key, value)
    touch(collection)
    await uow.session.flush()
    return sorted(touched, key=lambda u: u.id)


async def add_member(
    uow: UnitOfWork, model: type[Department] | type[Group], collection_id: int, user_id: int
) -> Any:
    """Adds a user to a department or group (a no-op if already there)."""
    load = DEPARTMENT_LOAD if model is Department else GROUP_LOAD
    admins = await admins_before_change(uow) if model is Group else None
    collection = await get_one(uow.session, model, collection_id, *load, for_update=True)
    ids = [u.id for u in collection.users]
    if user_id not in ids:
        return await _set_members(uow, collection, [*ids, user_id], admins)
    return collection


async def remove_member(
    uow: UnitOfWork, model: type[Department] | type[Group], collection_id: int, user_id: int
) -> Any:
    load = DEPARTMENT_LOAD if model is Department else GROUP_LOAD
    admins = await admins_before_change(uow) if model is Group else None
    collection = await get_one(uow.session, model, collection_id, *load, for_update=True)
    ids = [u.id for u in collection.users]
    if user_id not in ids:
        raise ValidationFailed(f"user {user_id} is not a member of {collection.name!r}", field="user_id")
    return await _set_members(uow, collection, [i for i in ids if i != user_id], admins)


async def _set_members(
    uow: UnitOfWork, collection: Department | Group, user_ids: list[int], admins: set[int] | None
) -> Any:
    touched = await _update_collection(uow, collection, {"user_ids": user_ids})
    if admins is not None:
        await settle_admins(uow, admins)
    updated = DepartmentUpdated if isinstance(collection, Department) else GroupUpdated
    await uow.publish(updated.model_validate(collection))
    await _publish_users(uow, touched)
    return collection


async def delete_collection(
    uow: UnitOfWork, model: type[Department] | type[Group], collection_id: int
) -> None:
    load = DEPARTMENT_LOAD if model is Department else GROUP_LOAD
    admins = await admins_before_change(uow) if model is Group else None
    collection = await get_one(uow.session, model, collection_id, *load, for_update=True)
    members, revision = list(collection.users), collection.revision
    await uow.session.delete(collection)
    await uow.session.flush()
    if admins is not None:
        await settle_admins(uow, admins)
    deleted = DepartmentDeleted if model is Department else GroupDeleted
    await uow.publish(deleted(id=collection_id, revision=revision + 1))
    await _publish_users(uow, members)


async def _check_unique_name(uow: UnitOfWork, model: Any, name: str, own_id: int | None = None) -> None:
    clash = await name_holder(uow.session, model, name, own_id)
    if clash is not None:
        raise Conflict(f"a {model.__tablename__} named {name!r} already exists (id {clash})", field="name")


async def _publish_users(uow: UnitOfWork, users: list[User]) -> None:
    """Users whose memberships changed: their state carries department and group ids."""
    if not users:
        return
    for user in users:
        # Their membership lists changed from the other side: read them again.
        uow.session.expire(user, ["departments", "groups"])
    fresh = await people_queries.users_fresh(uow.session, [u.id for u in users])
    for user in fresh:
        touch(user)
    await uow.session.flush()
    for user in fresh:
        await uow.publish(UserUpdated.model_validate(user))


async def _publish_members_changed(uow: UnitOfWork, department: Department) -> None:
    fresh = await get_one(uow.session, Department, department.id, *DEPARTMENT_LOAD)
    touch(fresh)
    await uow.session.flush()
    await uow.publish(DepartmentUpdated.model_validate(fresh))


# Roles


async def create_role(
    uow: UnitOfWork, name: str, description: str, access: ProjectRole = DEFAULT_ROLE
) -> Role:
    name = normalize_name(name)
    await _check_unique_name(uow, Role, name)
    role = Role(name=name, description=description, access=ProjectRole(access).value)
    uow.session.add(role)
    await uow.session.flush()
    await uow.publish(RoleCreated.model_validate(role))
    return role


async def update_role(uow: UnitOfWork, role_id: int, changes: dict[str, Any]) -> Role:
    role = await get_one(uow.session, Role, role_id, for_update=True)
    if "name" in changes:
        name = normalize_name(changes["name"])
        await _check_unique_name(uow, Role, name, role_id)
        role.name = name
    if "description" in changes:
        role.description = changes["description"]
    access_changed = "access" in changes and ProjectRole(changes["access"]).value != role.access
    if access_changed:
        role.access = ProjectRole(changes["access"]).value
    touch(role)
    await uow.session.flush()
    await uow.publish(RoleUpdated.model_validate(role))
    if access_changed:
        await republish_projects_of_role(uow, role_id)
    return role


async def delete_role(uow: UnitOfWork, role_id: int) -> None:
    role = await get_one(uow.session, Role, role_id, for_update=True)
    revision = role.revision
    members_of = await projects_with_role(uow, role_id)
    await uow.session.delete(role)
    await uow.session.flush()
    await uow.publish(RoleDeleted(id=role_id, revision=revision + 1))
    await republish_projects_of_role(uow, role_id, members_of)  # their members fall back to artist


async def load_users(uow: UnitOfWork, user_ids: list[int]) -> list[User]:
    return await get_many(uow.session, User, user_ids, "user_ids", *USER_LOAD)


async def load_collections(
    uow: UnitOfWork, model: type[Department] | type[Group], ids: list[int]
) -> list[Any]:
    load = DEPARTMENT_LOAD if model is Department else GROUP_LOAD
    return await get_many(uow.session, model, ids, "ids", *load)
