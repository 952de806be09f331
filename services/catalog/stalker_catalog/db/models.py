"""Every catalog model, for Alembic and for code that needs more than one aggregate."""

from stalker_catalog.db.base import MESSAGING, Audited, Base
from stalker_catalog.db.calendars import Holiday, Vacation
from stalker_catalog.db.notes import Note
from stalker_catalog.db.people import Department, DepartmentUser, Group, GroupUser, Role, User
from stalker_catalog.db.projects import Project, ProjectUser
from stalker_catalog.db.reference_data import (
    STATUS_LIST_LOAD,
    EntityType,
    ImageFormat,
    Status,
    StatusList,
    StatusListStatus,
)
from stalker_catalog.db.scheduling import ScheduleJob, ScheduleJobPart
from stalker_catalog.db.sessions import LoginFailure, RefreshToken
from stalker_catalog.db.studio import Studio
from stalker_catalog.db.tasks import (
    Task,
    TaskDependency,
    shot_sequence,
    task_alternative_resource,
    task_computed_resource,
    task_resource,
    task_responsible,
    task_watcher,
)
from stalker_catalog.db.tracking import Review, TimeLog
from stalker_catalog.db.version_mirror import KnownVersion

__all__ = [
    "MESSAGING",
    "STATUS_LIST_LOAD",
    "Audited",
    "Base",
    "Department",
    "DepartmentUser",
    "EntityType",
    "Group",
    "GroupUser",
    "Holiday",
    "ImageFormat",
    "KnownVersion",
    "LoginFailure",
    "Note",
    "Project",
    "ProjectUser",
    "RefreshToken",
    "Review",
    "Role",
    "ScheduleJob",
    "ScheduleJobPart",
    "Status",
    "StatusList",
    "StatusListStatus",
    "Studio",
    "Task",
    "TaskDependency",
    "TimeLog",
    "User",
    "Vacation",
    "shot_sequence",
    "task_alternative_resource",
    "task_computed_resource",
    "task_resource",
    "task_responsible",
    "task_watcher",
]
