"""The full state of each aggregate as its event carries it, and publishing through the outbox."""

from __future__ import annotations

from typing import Any, Literal

from stalker_catalog.db.models import (
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
    User,
)
from stalker_shared.access import role_of
from stalker_shared.contracts.catalog import LIFECYCLE, DependencyState
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork

Change = Literal["created", "updated"]


def touch(entity: Any) -> None:
    """Mark a row changed when only its relations changed, so its revision still moves on."""
    entity.updated_at = utcnow()


async def publish_state(uow: UnitOfWork, aggregate: str, change: Change, state: dict[str, Any]) -> None:
    created, updated, _ = LIFECYCLE[aggregate]
    contract = created if change == "created" else updated
    await uow.publish(contract(**state))


async def publish_deleted(uow: UnitOfWork, aggregate: str, entity_id: int, revision: int) -> None:
    await uow.publish(LIFECYCLE[aggregate][2](id=entity_id, revision=revision))


def user_state(user: User) -> dict[str, Any]:
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
    }


def department_state(department: Department) -> dict[str, Any]:
    return {
        "id": department.id,
        "revision": department.revision,
        "name": department.name,
        "description": department.description,
        "user_ids": [u.id for u in department.users],
    }


def group_state(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "revision": group.revision,
        "name": group.name,
        "description": group.description,
        "user_ids": [u.id for u in group.users],
    }


def role_state(role: Role) -> dict[str, Any]:
    return {
        "id": role.id,
        "revision": role.revision,
        "name": role.name,
        "description": role.description,
        "access": role.access,
    }


def status_state(status: Status) -> dict[str, Any]:
    return {"id": status.id, "revision": status.revision, "name": status.name, "code": status.code}


def status_list_state(status_list: StatusList) -> dict[str, Any]:
    return {
        "id": status_list.id,
        "revision": status_list.revision,
        "name": status_list.name,
        "target_entity_type": status_list.target_entity_type,
        "is_default": status_list.is_default,
        "status_codes": [s.code for s in status_list.statuses],
    }


def entity_type_state(entity_type: EntityType) -> dict[str, Any]:
    return {
        "id": entity_type.id,
        "revision": entity_type.revision,
        "name": entity_type.name,
        "code": entity_type.code,
        "target_entity_type": entity_type.target_entity_type,
    }


def image_format_state(image_format: ImageFormat) -> dict[str, Any]:
    return {
        "id": image_format.id,
        "revision": image_format.revision,
        "name": image_format.name,
        "width": image_format.width,
        "height": image_format.height,
        "pixel_aspect": image_format.pixel_aspect,
        "print_resolution": image_format.print_resolution,
    }


def studio_state(studio: Studio) -> dict[str, Any]:
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


def project_state(project: Project) -> dict[str, Any]:
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


def member_role(member: ProjectUser) -> str:
    """Needs the member's role loaded."""
    return role_of(member.role.access if member.role is not None else None).value


def task_state(task: Task) -> dict[str, Any]:
    """Needs the task's resources, alternative and computed resources, dependencies and sequences loaded."""
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
