"""Events are their contracts built from the aggregate (`ProjectUpdated.model_validate(project)`). The
payloads are versioned and consumed by other services, so they must stay byte for byte what the
hand-built dictionaries said before: the builders they replaced are kept here, and every aggregate of
a studio with every kind of relation is described both ways."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.models import (
    STATUS_LIST_LOAD,
    Department,
    EntityType,
    Group,
    ImageFormat,
    Project,
    ProjectUser,
    Role,
    Status,
    StatusList,
    Studio,
    Task,
    TaskDependency,
    User,
    shot_sequence,
    task_alternative_resource,
    task_computed_resource,
    task_resource,
)
from stalker_catalog.db.people_queries import DEPARTMENT_LOAD, GROUP_LOAD, USER_LOAD
from stalker_catalog.db.project_queries import PROJECT_LOAD
from stalker_catalog.db.task_queries import TASK_LOAD
from stalker_shared.access import role_of
from stalker_shared.contracts.catalog import (
    AggregateState,
    DepartmentCreated,
    DepartmentUpdated,
    DependencyState,
    EntityTypeCreated,
    EntityTypeUpdated,
    GroupCreated,
    GroupUpdated,
    ImageFormatCreated,
    ImageFormatUpdated,
    ProjectCreated,
    ProjectUpdated,
    RoleCreated,
    RoleUpdated,
    StatusCreated,
    StatusListCreated,
    StatusListUpdated,
    StatusUpdated,
    StudioCreated,
    StudioUpdated,
    TaskCreated,
    TaskUpdated,
    UserCreated,
    UserUpdated,
)

from support.catalog import Catalog

# The builders the contracts replaced (service/events.py before typed events), unchanged.


def user_state(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "revision": user.revision,
        "name": user.name,
        "login": user.login,
        "email": user.email,
        "description": user.description,
        "efficiency": user.efficiency,
        "rate": user.rate,
        "department_ids": [d.id for d in user.departments],
        "group_ids": [g.id for g in user.groups],
        # What other services check tokens against (issue 13).
        "is_admin": any(g.name == "admins" for g in user.groups),
        "active": user.active,
        "token_version": user.token_version,
    }


def collection_state(collection: Any) -> dict[str, Any]:
    return {
        "id": collection.id,
        "revision": collection.revision,
        "name": collection.name,
        "description": collection.description,
        "user_ids": [u.id for u in collection.users],
    }


def role_state(role: Any) -> dict[str, Any]:
    return {
        "id": role.id,
        "revision": role.revision,
        "name": role.name,
        "description": role.description,
        "access": role.access,
    }


def status_state(status: Any) -> dict[str, Any]:
    return {"id": status.id, "revision": status.revision, "name": status.name, "code": status.code}


def status_list_state(status_list: Any) -> dict[str, Any]:
    return {
        "id": status_list.id,
        "revision": status_list.revision,
        "name": status_list.name,
        "target_entity_type": status_list.target_entity_type,
        "is_default": status_list.is_default,
        "status_codes": [s.code for s in status_list.statuses],
    }


def entity_type_state(entity_type: Any) -> dict[str, Any]:
    return {
        "id": entity_type.id,
        "revision": entity_type.revision,
        "name": entity_type.name,
        "code": entity_type.code,
        "target_entity_type": entity_type.target_entity_type,
    }


def image_format_state(image_format: Any) -> dict[str, Any]:
    return {
        "id": image_format.id,
        "revision": image_format.revision,
        "name": image_format.name,
        "width": image_format.width,
        "height": image_format.height,
        "pixel_aspect": image_format.pixel_aspect,
        "print_resolution": image_format.print_resolution,
    }


def studio_state(studio: Any) -> dict[str, Any]:
    return {
        "id": studio.id,
        "revision": studio.revision,
        "name": studio.name,
        "working_hours": studio.working_hours,
        "daily_working_hours": studio.daily_working_hours,
        "timing_resolution_minutes": studio.timing_resolution_minutes,
        "time_zone": studio.time_zone,
        "start": studio.start,
        "end": studio.end,
        "now": studio.now,
    }


def project_state(project: Any) -> dict[str, Any]:
    return {
        "id": project.id,
        "revision": project.revision,
        "name": project.name,
        "code": project.code,
        "description": project.description,
        "status": project.status,
        "status_list_id": project.status_list_id,
        "image_format_id": project.image_format_id,
        "fps": project.fps,
        "start": project.start,
        "end": project.end,
        "user_ids": [u.id for u in project.users],
        "members": [{"user_id": m.user_id, "role": member_role(m)} for m in project.members],
    }


def member_role(member: Any) -> str:
    return role_of(member.assigned_role.access if member.assigned_role is not None else None).value


def task_state(task: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if task.kind == "shot":
        extra = {
            "cut_in": task.cut_in,
            "cut_out": task.cut_out,
            "fps": task.fps,
            "image_format_id": task.image_format_id,
        }
    return {
        "id": task.id,
        "revision": task.revision,
        "project_id": task.project_id,
        "parent_id": task.parent_id,
        "kind": task.kind,
        "name": task.name,
        "code": task.code,
        "type_id": task.type_id,
        "status": task.status,
        "priority": task.priority,
        "schedule_timing": task.schedule_timing,
        "schedule_unit": task.schedule_unit,
        "schedule_model": task.schedule_model,
        "schedule_constraint": task.schedule_constraint,
        "start": task.start,
        "end": task.end,
        "is_milestone": task.is_milestone,
        "computed_start": task.computed_start,
        "computed_end": task.computed_end,
        "resource_ids": [u.id for u in task.resources],
        "alternative_resource_ids": [u.id for u in task.alternative_resources],
        "computed_resource_ids": [u.id for u in task.computed_resources],
        "dependencies": [
            DependencyState(
                depends_on_id=d.depends_on_id,
                target=d.target,
                gap_timing=d.gap_timing,
                gap_unit=d.gap_unit,
                gap_model=d.gap_model,
            )
            for d in task.dependencies
        ],
        "sequence_ids": [s.id for s in task.sequences],
        "extra": extra,
    }


# model, loader options, legacy builder, (created, updated): every aggregate with a state event.
AGGREGATES: Sequence[tuple[Any, tuple[Any, ...], Callable[[Any], dict[str, Any]], Any]] = (
    (User, USER_LOAD, user_state, (UserCreated, UserUpdated)),
    (Department, DEPARTMENT_LOAD, collection_state, (DepartmentCreated, DepartmentUpdated)),
    (Group, GROUP_LOAD, collection_state, (GroupCreated, GroupUpdated)),
    (Role, (), role_state, (RoleCreated, RoleUpdated)),
    (Status, (), status_state, (StatusCreated, StatusUpdated)),
    (StatusList, STATUS_LIST_LOAD, status_list_state, (StatusListCreated, StatusListUpdated)),
    (EntityType, (), entity_type_state, (EntityTypeCreated, EntityTypeUpdated)),
    (ImageFormat, (), image_format_state, (ImageFormatCreated, ImageFormatUpdated)),
    (Studio, (), studio_state, (StudioCreated, StudioUpdated)),
    (Project, PROJECT_LOAD, project_state, (ProjectCreated, ProjectUpdated)),
    (Task, TASK_LOAD, task_state, (TaskCreated, TaskUpdated)),
)


async def seed(session: AsyncSession) -> None:
    """Rows with every relation and optional field an event carries, set and unset."""
    when = datetime(2014, 4, 2, 16, tzinfo=UTC)
    fmt = ImageFormat(name="HD 1080", width=1920, height=1080, pixel_aspect=1.0, print_resolution=72.5)
    char = EntityType(name="Character", code="CHAR", target_entity_type="Asset")
    lead = Role(name="Supervisor", access="lead", description="leads")
    lighting, comp = Department(name="Lighting", description="lights"), Department(name="Comp")
    seniors = Group(name="Seniors")
    ann = User(name="Ann", login="ann", email="ann@x.io", password_hash="-", efficiency=0.5, rate=12.5)
    bob = User(name="Bob", login="bob", email="bob@x.io", password_hash="-", description="compositor")
    ann.departments, ann.groups, bob.departments = [lighting, comp], [seniors], [comp]
    session.add_all([fmt, char, lead, ann, bob, Group(name="Empty")])
    if await session.scalar(select(Studio.id)) is None:
        hours = {"mon": [[540, 780], [840, 1080]], "tue": [], "sun": []}
        session.add(Studio(name="S", working_hours=hours, start=when, end=when.replace(year=2015), now=when))
    status_list = await session.scalar(
        select(StatusList).where(StatusList.target_entity_type == "Project").options(*STATUS_LIST_LOAD)
    )
    assert status_list is not None
    fc = Project(name="FC", code="FC", status_list_id=status_list.id, status=status_list.statuses[0].code)
    dated = Project(
        name="Dated",
        code="DT",
        status_list_id=status_list.id,
        status="WIP",
        image_format_id=None,
        fps=24.0,
        start=when,
        end=when.replace(month=9),
        description="d",
    )
    session.add_all([fc, dated])
    await session.flush()
    fc.image_format_id = fmt.id
    session.add_all(
        [
            ProjectUser(project_id=fc.id, user_id=ann.id, role_id=lead.id),
            ProjectUser(project_id=fc.id, user_id=bob.id),
        ]
    )
    await seed_tasks(session, fc, fmt, char, [ann, bob], when)


async def seed_tasks(
    session: AsyncSession,
    project: Project,
    fmt: ImageFormat,
    char: EntityType,
    users: list[User],
    when: datetime,
) -> None:
    def node(**values: Any) -> Task:
        return Task(**{"project_id": project.id, "status": "RTS", **values})

    sequence = node(kind="sequence", name="Seq", code="SEQ1")
    session.add(sequence)
    await session.flush()
    shot = node(kind="shot", name="SH001", code="SH001", parent_id=sequence.id, cut_in=1, cut_out=24)
    bare_shot = node(kind="shot", name="SH002", code="SH002", fps=50.0, image_format_id=fmt.id)
    asset = node(kind="asset", name="Hero", code="HERO", type_id=char.id, priority=900, description="x")
    session.add_all([shot, bare_shot, asset])
    await session.flush()
    anim = node(name="anim", parent_id=shot.id, schedule_timing=2.5, schedule_unit="d", start=when)
    comp = node(
        name="comp",
        parent_id=shot.id,
        status="WFD",
        schedule_model="duration",
        schedule_constraint="both",
        start=when,
        end=when.replace(day=9),
        computed_start=when,
        computed_end=when.replace(day=5),
    )
    milestone = node(name="done", parent_id=asset.id, is_milestone=True, schedule_timing=0)
    session.add_all([anim, comp, milestone])
    await session.flush()
    ann, bob = users
    links = [
        (task_resource, [(anim.id, ann.id), (comp.id, bob.id), (comp.id, ann.id)]),
        (task_alternative_resource, [(comp.id, ann.id)]),
        (task_computed_resource, [(comp.id, bob.id), (anim.id, ann.id)]),
    ]
    for table, pairs in links:
        await session.execute(insert(table), [{"task_id": t, "user_id": u} for t, u in pairs])
    await session.execute(
        insert(shot_sequence), [{"shot_id": s.id, "sequence_id": sequence.id} for s in (shot, bare_shot)]
    )
    session.add_all(
        [
            TaskDependency(task_id=comp.id, depends_on_id=anim.id),
            TaskDependency(
                task_id=comp.id,
                depends_on_id=milestone.id,
                target="onstart",
                gap_timing=1.5,
                gap_unit="d",
                gap_model="duration",
            ),
        ]
    )


def both_ways(
    contract: type[AggregateState], entity: Any, legacy: Callable[[Any], dict[str, Any]]
) -> tuple[str, str]:
    return contract.model_validate(entity).model_dump_json(), contract(**legacy(entity)).model_dump_json()


async def test_every_state_event_says_what_the_hand_built_dictionary_said(catalog: Catalog) -> None:
    async with catalog.runtime.sessionmaker() as session:
        await seed(session)
        await session.commit()
    counts: dict[str, int] = {}
    async with catalog.runtime.sessionmaker() as session:
        for model, load, legacy, contracts in AGGREGATES:
            rows = list((await session.scalars(select(model).options(*load).order_by(model.id))).unique())
            counts[model.__name__] = len(rows)
            for entity in rows:
                for contract in contracts:
                    new, old = both_ways(contract, entity, legacy)
                    assert new == old, f"{contract.__name__} of {model.__name__} {entity.id}"
    assert all(counts.values()), counts  # every aggregate was described at least once
    assert counts["Task"] == 7 and counts["Project"] == 2


async def test_published_states_are_those_of_the_hand_built_dictionaries(catalog: Catalog) -> None:
    """Through the API: what the outbox holds for each aggregate is the old builder's payload."""
    client = catalog.client
    ann = (
        await client.post(
            "/catalog/v1/users",
            json={"name": "Ann", "login": "ann", "email": "a@x.io", "password": "Tr0ub4dor&3"},
        )
    ).json()
    assert (
        await client.post("/catalog/v1/departments", json={"name": "TDs", "user_ids": [ann["id"]]})
    ).status_code == 201
    project = (
        await client.post("/catalog/v1/projects", json={"name": "FC", "code": "FC", "user_ids": [ann["id"]]})
    ).json()
    shot = (
        await client.post(
            "/catalog/v1/shots", json={"code": "SH001", "project_id": project["id"], "cut_in": 5}
        )
    ).json()
    body = {"name": "comp", "parent_id": shot["id"], "resource_ids": [ann["id"]]}
    assert (await client.post("/catalog/v1/tasks", json=body)).status_code == 201
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    for event in await catalog.events():
        if not event["type"].endswith(".deleted"):
            latest[(event["type"].rsplit(".", 1)[0], event["payload"]["id"])] = event
    by_type = {
        contract.TYPE: (model, load, legacy, contract)
        for model, load, legacy, cs in AGGREGATES
        for contract in cs
    }
    async with catalog.runtime.sessionmaker() as session:
        for event in latest.values():
            model, load, legacy, contract = by_type[event["type"]]
            entity = await session.scalar(
                select(model).where(model.id == event["payload"]["id"]).options(*load)
            )
            assert entity is not None and entity.revision == event["payload"]["revision"]
            assert event["payload"] == contract(**legacy(entity)).model_dump(mode="json")
            assert list(event["payload"]) == list(contract(**legacy(entity)).model_dump(mode="json"))
    assert {kind.split(".")[1] for kind, _ in latest} >= {"user", "department", "project", "task", "status"}
