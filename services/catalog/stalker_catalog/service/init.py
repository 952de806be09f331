"""Initialization: what a studio needs before anything else. Idempotent: a second run changes nothing.

Creates the `admins` department and group, the admin user (password from settings), the default
statuses, one default status list per entity type, the ticket types, and one role per access level.

Repairs a studio left without an active admin (the rule that keeps one, service/admins.py, came after
studios that lost theirs): the configured admin is created if missing, made active and put back in the
`admins` group. A studio that has an active admin keeps its admins as they are, even if the configured
login is no longer one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from stalker_catalog.db.access import ADMINS, active_admin_ids
from stalker_catalog.db.models import Department, EntityType, Group, Role, Status, StatusList, User
from stalker_catalog.domain.status import DEFAULT_STATUS_LISTS, DEFAULT_STATUSES, StatusListDef
from stalker_catalog.security import STRONG, Argon2Cost, hash_password
from stalker_catalog.service.events import touch
from stalker_shared.access import ProjectRole
from stalker_shared.contracts.catalog import (
    DepartmentCreated,
    EntityTypeCreated,
    GroupCreated,
    GroupUpdated,
    RoleCreated,
    StatusCreated,
    StatusListCreated,
    UserCreated,
    UserUpdated,
)
from stalker_shared.runtime import Runtime
from stalker_shared.unit_of_work import UnitOfWork

TASK_KINDS = ("Asset", "Shot", "Sequence", "Scene")
TICKET_TYPES = ("Defect", "Enhancement")
# One role per access level, so a project member can be given any of them from the start.
DEFAULT_ROLES = (
    ("Producer", ProjectRole.PRODUCER, "Runs the project: its members, tasks, schedule and storage"),
    ("Lead", ProjectRole.LEAD, "Supervisor or lead: edits the project's tasks and any version"),
    ("Artist", ProjectRole.ARTIST, "Works on the project: makes and edits their own versions"),
    ("Viewer", ProjectRole.VIEWER, "Client or viewer: reads the project only"),
)


@dataclass(frozen=True)
class Initialize:
    admin_login: str
    admin_email: str
    admin_password: str
    cost: Argon2Cost = STRONG


@dataclass(frozen=True)
class InitReport:
    created: dict[str, int]

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def default_status_lists() -> tuple[StatusListDef, ...]:
    """The reference's five lists, plus one per task kind (the kinds share the Task statuses)."""
    task_codes = next(d.codes for d in DEFAULT_STATUS_LISTS if d.target_entity_type == "Task")
    return (*DEFAULT_STATUS_LISTS, *(StatusListDef(f"{k} Statuses", k, task_codes) for k in TASK_KINDS))


async def initialize(uow: UnitOfWork, command: Initialize) -> InitReport:
    created = {
        "department": 0,
        "group": 0,
        "user": 0,
        "status": 0,
        "status_list": 0,
        "type": 0,
        "role": 0,
        "admin_restored": 0,
    }
    await _ensure_admin(uow, command, created)
    await _ensure_roles(uow, created)
    await _ensure_statuses(uow, created)
    await _ensure_ticket_types(uow, created)
    return InitReport(created)


async def _ensure_admin(uow: UnitOfWork, command: Initialize, created: dict[str, int]) -> User:
    session = uow.session
    if await session.scalar(select(Group.id).where(Group.name == ADMINS)) is not None:
        repairing = not await active_admin_ids(session)
    else:
        repairing = False  # a first initialization: the group is made with the admin in it below
    admin = await session.scalar(
        select(User)
        .where(User.login == command.admin_login)
        .options(selectinload(User.departments), selectinload(User.groups))
    )
    if admin is None:
        admin = User(
            name=command.admin_login,
            login=command.admin_login,
            email=command.admin_email,
            password_hash=await hash_password(command.admin_password, command.cost),
            departments=[],
            groups=[],
        )
        session.add(admin)
        await session.flush()
        created["user"] += 1
    for model, aggregate, event in (
        (Department, "department", DepartmentCreated),
        (Group, "group", GroupCreated),
    ):
        collection = await session.scalar(
            select(model).where(model.name == ADMINS).options(selectinload(model.users))
        )
        if collection is None:
            collection = model(name=ADMINS, users=[admin], created_by_id=admin.id)
            session.add(collection)
            await session.flush()
            created[aggregate] += 1
            await uow.publish(event.model_validate(collection))
    if repairing:
        await _restore_admin(uow, admin, created)
    if created["user"]:
        await session.refresh(admin, ["departments", "groups"])
        await uow.publish(UserCreated.model_validate(admin))
    return admin


async def _restore_admin(uow: UnitOfWork, admin: User, created: dict[str, int]) -> None:
    """The configured admin, active and in the admins group again: the studio has no other admin."""
    session = uow.session
    group = await session.scalar(select(Group).where(Group.name == ADMINS).options(selectinload(Group.users)))
    assert group is not None
    if admin not in group.users:
        group.users.append(admin)
        touch(group)
    admin.active = True
    admin.token_version += 1  # whatever tokens it had were issued without admin rights
    await session.flush()
    created["admin_restored"] += 1
    await uow.publish(GroupUpdated.model_validate(group))
    if not created["user"]:
        await session.refresh(admin, ["departments", "groups"])
        await uow.publish(UserUpdated.model_validate(admin))


async def _ensure_statuses(uow: UnitOfWork, created: dict[str, int]) -> None:
    session = uow.session
    existing = {s.code: s for s in await session.scalars(select(Status))}
    for definition in DEFAULT_STATUSES:
        if definition.code not in existing:
            status = Status(name=definition.name, code=definition.code)
            session.add(status)
            await session.flush()
            existing[status.code] = status
            created["status"] += 1
            await uow.publish(StatusCreated.model_validate(status))
    defaults = {
        sl.target_entity_type
        for sl in await session.scalars(select(StatusList).where(StatusList.is_default.is_(True)))
    }
    for list_definition in default_status_lists():
        if list_definition.target_entity_type in defaults:
            continue
        status_list = StatusList(
            name=list_definition.name,
            target_entity_type=list_definition.target_entity_type,
            is_default=True,
            statuses=[existing[code] for code in list_definition.codes],
        )
        session.add(status_list)
        await session.flush()
        created["status_list"] += 1
        await uow.publish(StatusListCreated.model_validate(status_list))


async def _ensure_roles(uow: UnitOfWork, created: dict[str, int]) -> None:
    session = uow.session
    names = {name.lower() for name in await session.scalars(select(Role.name))}
    for name, access, description in DEFAULT_ROLES:
        if name.lower() not in names:
            role = Role(name=name, access=access.value, description=description)
            session.add(role)
            await session.flush()
            created["role"] += 1
            await uow.publish(RoleCreated.model_validate(role))


async def _ensure_ticket_types(uow: UnitOfWork, created: dict[str, int]) -> None:
    session = uow.session
    names = set(
        await session.scalars(select(EntityType.name).where(EntityType.target_entity_type == "Ticket"))
    )
    for name in TICKET_TYPES:
        if name not in names:
            entity_type = EntityType(name=name, code=name, target_entity_type="Ticket")
            session.add(entity_type)
            await session.flush()
            created["type"] += 1
            await uow.publish(EntityTypeCreated.model_validate(entity_type))


async def run_initialization(runtime: Runtime) -> InitReport:
    """Initialize with the admin from the catalog's settings (the `init` command, start-up, the API)."""
    settings = runtime.settings
    login = getattr(settings, "admin_login", "admin")
    email = getattr(settings, "admin_email", "admin@admin.com")
    password = settings.admin_password.get_secret_value()  # type: ignore[attr-defined]
    policy = getattr(settings, "password_policy", None)
    cost = policy.cost if policy is not None else STRONG
    async with runtime.unit_of_work() as uow:
        report = await initialize(uow, Initialize(login, email, password, cost))
        if report.changed:
            await uow.commit()
        return report
