"""The catalog's read models: how each resource is listed (its ListSpec: filters and sort keys) and
how a stored row becomes its response (the ``*_read`` mappers), in one place for every route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.api.schemas.people import CollectionRead, UserRead
from stalker_catalog.api.schemas.projects import ProjectRead
from stalker_catalog.api.schemas.reference_data import ImageFormatRead, StatusListRead
from stalker_catalog.api.schemas.studio import StudioRead
from stalker_catalog.api.schemas.tasks import DependencyRead, TaskRead
from stalker_catalog.db.models import (
    Department,
    EntityType,
    Group,
    ImageFormat,
    Project,
    Role,
    ScheduleJob,
    Status,
    StatusList,
    Studio,
    Task,
    User,
)
from stalker_catalog.db.task_queries import ReadContext, TaskLinks, links_of, read_context, read_links
from stalker_catalog.db.tracking_queries import subtree_sums
from stalker_catalog.domain.calendar import StudioCalendar, to_seconds
from stalker_catalog.domain.progress import (
    NONE as NO_PROGRESS,
)
from stalker_catalog.domain.progress import (
    LeafTiming,
    Progress,
    leaf_logged_seconds,
    summed_progress,
)
from stalker_catalog.domain.scheduling import ScheduleModel, TimeUnit
from stalker_catalog.service import studio as studio_service
from stalker_catalog.service import vocabulary
from stalker_shared.db import utcnow
from stalker_shared.listing import ListSpec

# Reference data

STATUS_LIST = ListSpec({"id": Status.id, "name": Status.name, "code": Status.code})


STATUS_LIST_LIST = ListSpec(
    {
        "id": StatusList.id,
        "name": StatusList.name,
        "target_entity_type": StatusList.target_entity_type,
        "is_default": StatusList.is_default,
    }
)


TYPE_LIST = ListSpec(
    {
        "id": EntityType.id,
        "name": EntityType.name,
        "code": EntityType.code,
        "target_entity_type": EntityType.target_entity_type,
    }
)


IMAGE_FORMAT_LIST = ListSpec(
    {
        "id": ImageFormat.id,
        "name": ImageFormat.name,
        "width": ImageFormat.width,
        "height": ImageFormat.height,
    }
)


def audit_of(entity: Any) -> dict[str, Any]:
    return {"revision": entity.revision, "created_at": entity.created_at, "updated_at": entity.updated_at}


def status_list_read(status_list: StatusList) -> StatusListRead:
    statuses = list(status_list.statuses)
    return StatusListRead.model_validate(
        {
            **audit_of(status_list),
            **{k: getattr(status_list, k) for k in ("id", "name", "description", "target_entity_type")},
            "is_default": status_list.is_default,
            "status_ids": [s.id for s in statuses],
            "status_codes": [s.code for s in statuses],
        }
    )


def image_format_read(image_format: ImageFormat) -> ImageFormatRead:
    fields = ("id", "name", "description", "width", "height", "pixel_aspect", "print_resolution")
    return ImageFormatRead.model_validate(
        {
            **audit_of(image_format),
            **{k: getattr(image_format, k) for k in fields},
            "device_aspect": vocabulary.device_aspect(image_format),
        }
    )


# People

USER_LIST = ListSpec(
    {"id": User.id, "name": User.name, "login": User.login, "email": User.email, "rate": User.rate}
)


DEPARTMENT_LIST = ListSpec({"id": Department.id, "name": Department.name})


GROUP_LIST = ListSpec({"id": Group.id, "name": Group.name})


ROLE_LIST = ListSpec({"id": Role.id, "name": Role.name})


def user_read(user: User) -> UserRead:
    return UserRead.model_validate(
        {
            **audit_of(user),
            **{
                k: getattr(user, k)
                for k in ("id", "name", "login", "email", "description", "efficiency", "rate")
            },
            "department_ids": [d.id for d in user.departments],
            "group_ids": [g.id for g in user.groups],
            "active": user.active,
            "is_admin": user.is_admin,
        }
    )


def collection_read(collection: Department | Group) -> CollectionRead:
    ids = [u.id for u in collection.users]
    return CollectionRead.model_validate(
        {
            **audit_of(collection),
            "id": collection.id,
            "name": collection.name,
            "description": collection.description,
            "user_ids": ids,
            "member_ids": ids,
        }
    )


# Projects

PROJECT_LIST = ListSpec(
    {
        "id": Project.id,
        "name": Project.name,
        "code": Project.code,
        "status": Project.status,
        "status_list_id": Project.status_list_id,
        "image_format_id": Project.image_format_id,
        "fps": Project.fps,
    }
)


PROJECT_FIELDS = (
    "id",
    "name",
    "code",
    "description",
    "status_list_id",
    "status",
    "image_format_id",
    "fps",
    "start",
    "end",
    "computed_start",
    "computed_end",
)


def project_read(project: Project) -> ProjectRead:
    return ProjectRead.model_validate(
        {
            **audit_of(project),
            **{k: getattr(project, k) for k in PROJECT_FIELDS},
            "user_ids": [u.id for u in project.users],
            "members": [{"user_id": m.user_id, "role": m.role} for m in project.members],
        }
    )


# Studio

STUDIO_LIST = ListSpec({"id": Studio.id, "name": Studio.name})


STUDIO_FIELDS = (
    "id",
    "name",
    "description",
    "working_hours",
    "daily_working_hours",
    "timing_resolution_minutes",
    "time_zone",
    "start",
    "end",
    "now",
    "is_scheduling",
    "is_scheduling_by_id",
    "scheduling_started_at",
    "last_scheduled_at",
    "last_scheduled_by_id",
    "last_schedule_message",
)


def studio_read(studio: Studio) -> StudioRead:
    return StudioRead.model_validate(
        {
            **audit_of(studio),
            **{k: getattr(studio, k) for k in STUDIO_FIELDS},
            "duration": (studio.end - studio.start) / timedelta(days=1),
            **studio_service.figures(studio),
        }
    )


# Scheduling

JOB_LIST = ListSpec(
    {"id": ScheduleJob.id, "studio_id": ScheduleJob.studio_id, "status": ScheduleJob.status},
    default_sort=("-id",),
)


# Tasks

TASK_LIST = ListSpec(
    {
        "id": Task.id,
        "project_id": Task.project_id,
        "parent_id": Task.parent_id,
        "kind": Task.kind,
        "name": Task.name,
        "code": Task.code,
        "status": Task.status,
        "type_id": Task.type_id,
        "priority": Task.priority,
        "is_milestone": Task.is_milestone,
        "computed_start": Task.computed_start,
        "computed_end": Task.computed_end,
    }
)


_COPIED = (
    "id",
    "kind",
    "project_id",
    "parent_id",
    "name",
    "description",
    "code",
    "type_id",
    "status",
    "priority",
    "schedule_timing",
    "schedule_unit",
    "schedule_model",
    "schedule_constraint",
    "start",
    "end",
    "is_milestone",
    "bid_timing",
    "bid_unit",
    "allocation_strategy",
    "persistent_allocation",
    "computed_start",
    "computed_end",
    "revision",
    "created_at",
    "updated_at",
)


def dependency_read(spec: Any) -> DependencyRead:
    return DependencyRead.model_validate(spec, from_attributes=True)


@lru_cache(maxsize=64)
def _seconds_per(unit: str, model: str, calendar: StudioCalendar) -> float:
    return to_seconds(1.0, TimeUnit(unit), ScheduleModel(model), calendar)


_SHOT_FIELDS = ("cut_in", "cut_out", "image_format_id", "fps")


_ROW_FIELDS = (*_COPIED, *_SHOT_FIELDS, "logged_seconds")


# The columns a task's response is made of, for lists read as rows rather than ORM objects.
TASK_ROW = tuple(getattr(Task, name) for name in _ROW_FIELDS)


# A response's keys: the copied columns, then the derived values, in the order lists have always sent.
_KEYS = (
    *_COPIED,
    "schedule_seconds",
    "total_logged_seconds",
    "remaining_seconds",
    "percent_complete",
    "resource_ids",
    "alternative_resource_ids",
    "computed_resource_ids",
    "depends",
    "is_leaf",
    "is_container",
    "sequence_ids",
    "responsible_ids",
    "watcher_ids",
    "cut_in",
    "cut_out",
    "cut_duration",
    "image_format_id",
    "fps",
)


_COPIED_COUNT = len(_COPIED)


_ID, _KIND, _PROJECT_ID, _TIMING, _UNIT, _MODEL, _START, _END, _COMPUTED_START, _COMPUTED_END, _LOGGED = (
    _ROW_FIELDS.index(name)
    for name in (
        "id",
        "kind",
        "project_id",
        "schedule_timing",
        "schedule_unit",
        "schedule_model",
        "start",
        "end",
        "computed_start",
        "computed_end",
        "logged_seconds",
    )
)
_SHOT_SLICE = slice(_COPIED_COUNT, _COPIED_COUNT + len(_SHOT_FIELDS))


_NONE: tuple[()] = ()  # shared, hence immutable


_NOT_A_SHOT = (None,) * 5


def task_values(
    rows: Sequence[Sequence[Any]], links: TaskLinks, context: ReadContext, containers_progress: Progresses
) -> list[dict[str, Any]]:
    """Tasks' responses as plain values (TaskRead's fields) from rows of `_ROW_FIELDS` values and the
    relations and context read for them. One tuple and one dict per task: a list of 10,000 tasks spent a
    fifth of its server time here when each response was a dict changed field by field (py-spy)."""
    seconds_per: dict[tuple[str, str], float] = {}  # by (unit, model), for this calendar
    resources, alternatives = links.resource_ids, links.alternative_resource_ids
    computed, depends, sequences = links.computed_resource_ids, links.depends, links.sequence_ids
    responsible, watchers = links.responsible_ids, links.watcher_ids
    containers = context.containers
    now = utcnow()
    values = []
    for row in rows:
        task_id = row[_ID]
        is_container = task_id in containers
        unit_model = (row[_UNIT], row[_MODEL])
        per = seconds_per.get(unit_model)
        if per is None:
            per = seconds_per[unit_model] = _seconds_per(*unit_model, context.calendar)
        shot = _shot_values(row, context) if row[_KIND] == "shot" else _NOT_A_SHOT
        if is_container:
            figures = containers_progress.get(task_id, NO_PROGRESS)
            scheduled, logged = figures.schedule_seconds, figures.total_logged_seconds
        else:
            scheduled = row[_TIMING] * per
            logged = row[_LOGGED] if row[_MODEL] == "effort" else _elapsed(row, context, now)
        derived = (
            scheduled,
            logged,
            scheduled - logged,
            logged / scheduled * 100 if scheduled > 0 else 0.0,
            resources.get(task_id, _NONE),
            alternatives.get(task_id, _NONE),
            # As the reference: until a schedule has placed the task, who does it is its resources.
            computed.get(task_id, _NONE) if row[_COMPUTED_START] else resources.get(task_id, _NONE),
            depends.get(task_id, _NONE),
            not is_container,
            is_container,
            sequences.get(task_id, _NONE),
            responsible.get(task_id, _NONE),
            watchers.get(task_id, _NONE),
        )
        values.append(dict(zip(_KEYS, (*row[:_COPIED_COUNT], *derived, *shot), strict=True)))
    return values


def _shot_values(row: Sequence[Any], context: ReadContext) -> tuple[Any, ...]:
    """cut_in, cut_out, cut_duration, image_format_id and fps of a shot: the project's format and fps
    unless the shot has its own."""
    cut_in, cut_out, image_format_id, fps = row[_SHOT_SLICE]
    project_format, project_fps = context.project_defaults.get(row[_PROJECT_ID], (None, 25.0))
    return (
        cut_in,
        cut_out,
        (cut_out or 0) - (cut_in or 0) + 1,
        image_format_id if image_format_id is not None else project_format,
        fps if fps is not None else project_fps,
    )


async def task_reads(session: AsyncSession, tasks: Sequence[Task]) -> list[TaskRead]:
    """Responses for tasks loaded with TASK_LOAD (three more statements, whatever their number)."""
    shot_projects = (task.project_id for task in tasks if task.kind == "shot")
    context = await read_context(session, [task.id for task in tasks], shot_projects)
    links = links_of(tasks)
    rows = [tuple(getattr(task, name) for name in _ROW_FIELDS) for task in tasks]
    figures = await containers_progress(session, context)
    return [TaskRead.model_validate(values) for values in task_values(rows, links, context, figures)]


async def task_rows_values(session: AsyncSession, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Responses for rows of TASK_ROW, as plain values: a list page is serialized without building a
    model per task (the values are the same as task_read's; a test compares them)."""
    ids = [row[_ID] for row in rows]  # by position: a Row's attributes cost more
    shot_projects = (row[_PROJECT_ID] for row in rows if row[_KIND] == "shot")
    context = await read_context(session, ids, shot_projects)
    figures = await containers_progress(session, context)
    return task_values(rows, await read_links(session, ids), context, figures)


Progresses = Mapping[int, Progress]


async def containers_progress(session: AsyncSession, context: ReadContext) -> Progresses:
    """The figures of the containers among the tasks read, their leaves summed in the database."""
    if not context.containers:
        return {}
    now = utcnow()
    return {
        root: summed_progress(sums.timing, sums.effort_logged, sums.timed_leaves, context.calendar, now)
        for root, sums in (await subtree_sums(session, sorted(context.containers))).items()
    }


def _elapsed(row: Sequence[Any], context: ReadContext, now: datetime) -> float:
    """A duration or length leaf's logged seconds: the time elapsed in its planned span."""
    start, end = row[_COMPUTED_START] or row[_START], row[_COMPUTED_END] or row[_END]  # as PLANNED
    leaf = LeafTiming(row[_TIMING], row[_UNIT], row[_MODEL], row[_LOGGED], start, end)
    return leaf_logged_seconds(leaf, context.calendar, now)
