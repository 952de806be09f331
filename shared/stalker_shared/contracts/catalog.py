"""Events the catalog publishes: for every aggregate, `created` and `updated` carry the full state after
the change and `deleted` carries the id. `revision` grows with every change of one aggregate, so a
consumer ignores a state older than the one it holds.

The states read attributes as well as dicts, so the producer builds one from its aggregate:
`ProjectCreated.model_validate(project)`. A field the object lacks takes its default, so every field
must be an attribute of the aggregate (tests/integration/catalog/test_catalog_event_payloads.py)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from stalker_shared.contracts.envelope import Contract

# Frozen and closed like every contract, and built from an object's attributes as well as from a dict.
STATE = ConfigDict(frozen=True, extra="forbid", from_attributes=True)


class AggregateState(Contract):
    model_config = STATE

    id: int
    revision: int = Field(ge=1)


class Deleted(Contract):
    id: int
    revision: int = Field(ge=1)


class UserState(AggregateState):
    name: str
    login: str
    email: str
    description: str = ""
    efficiency: float = 1.0
    rate: float = 0.0
    department_ids: list[int] = []
    group_ids: list[int] = []
    # What other services check a token against (added in v1 with defaults: older producers' states
    # still validate). `token_version` is the user's current one; a token carrying another is revoked.
    is_admin: bool = False
    active: bool = True
    token_version: int = Field(default=0, ge=0)


class DepartmentState(AggregateState):
    name: str
    description: str = ""
    user_ids: list[int] = []


class GroupState(AggregateState):
    name: str
    description: str = ""
    user_ids: list[int] = []


class RoleState(AggregateState):
    name: str
    description: str = ""
    access: str = "artist"  # what a project member with this role may do (stalker_shared.access)


class StatusState(AggregateState):
    name: str
    code: str


class StatusListState(AggregateState):
    name: str
    target_entity_type: str
    is_default: bool
    status_codes: list[str]


class EntityTypeState(AggregateState):
    name: str
    code: str
    target_entity_type: str


class ImageFormatState(AggregateState):
    name: str
    width: int
    height: int
    pixel_aspect: float
    print_resolution: float


class StudioState(AggregateState):
    name: str
    working_hours: dict[str, list[list[int]]]
    daily_working_hours: int
    timing_resolution_minutes: int
    time_zone: str
    start: AwareDatetime
    end: AwareDatetime
    now: AwareDatetime | None = None


class ProjectMemberState(BaseModel):
    model_config = STATE

    user_id: int
    role: str  # the member's access level: producer, lead, artist or viewer (stalker_shared.access)


class ProjectState(AggregateState):
    name: str
    code: str
    description: str = ""
    status: str
    status_list_id: int
    image_format_id: int | None = None
    fps: float = 25.0
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    user_ids: list[int] = []
    members: list[ProjectMemberState] = []


class DependencyState(BaseModel):
    model_config = STATE

    depends_on_id: int
    target: str
    gap_timing: float
    gap_unit: str
    gap_model: str


class TaskState(AggregateState):
    """A node of the task tree: kind is task, asset, shot, sequence or scene."""

    project_id: int
    parent_id: int | None
    kind: str
    name: str
    code: str | None = None
    type_id: int | None = None
    status: str
    priority: int
    schedule_timing: float
    schedule_unit: str
    schedule_model: str
    schedule_constraint: str
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    is_milestone: bool = False
    computed_start: AwareDatetime | None = None
    computed_end: AwareDatetime | None = None
    resource_ids: list[int] = []
    alternative_resource_ids: list[int] = []
    computed_resource_ids: list[int] = []
    dependencies: list[DependencyState] = []
    sequence_ids: list[int] = []
    responsible_ids: list[int] = []  # who reviews its work (none: its parent's)
    watcher_ids: list[int] = []
    extra: dict[str, Any] = {}


class UserCreated(UserState):
    TYPE = "catalog.user.created"
    VERSION = 1


class UserUpdated(UserState):
    TYPE = "catalog.user.updated"
    VERSION = 1


class UserDeleted(Deleted):
    TYPE = "catalog.user.deleted"
    VERSION = 1


class DepartmentCreated(DepartmentState):
    TYPE = "catalog.department.created"
    VERSION = 1


class DepartmentUpdated(DepartmentState):
    TYPE = "catalog.department.updated"
    VERSION = 1


class DepartmentDeleted(Deleted):
    TYPE = "catalog.department.deleted"
    VERSION = 1


class GroupCreated(GroupState):
    TYPE = "catalog.group.created"
    VERSION = 1


class GroupUpdated(GroupState):
    TYPE = "catalog.group.updated"
    VERSION = 1


class GroupDeleted(Deleted):
    TYPE = "catalog.group.deleted"
    VERSION = 1


class RoleCreated(RoleState):
    TYPE = "catalog.role.created"
    VERSION = 1


class RoleUpdated(RoleState):
    TYPE = "catalog.role.updated"
    VERSION = 1


class RoleDeleted(Deleted):
    TYPE = "catalog.role.deleted"
    VERSION = 1


class StatusCreated(StatusState):
    TYPE = "catalog.status.created"
    VERSION = 1


class StatusUpdated(StatusState):
    TYPE = "catalog.status.updated"
    VERSION = 1


class StatusDeleted(Deleted):
    TYPE = "catalog.status.deleted"
    VERSION = 1


class StatusListCreated(StatusListState):
    TYPE = "catalog.status_list.created"
    VERSION = 1


class StatusListUpdated(StatusListState):
    TYPE = "catalog.status_list.updated"
    VERSION = 1


class StatusListDeleted(Deleted):
    TYPE = "catalog.status_list.deleted"
    VERSION = 1


class EntityTypeCreated(EntityTypeState):
    TYPE = "catalog.type.created"
    VERSION = 1


class EntityTypeUpdated(EntityTypeState):
    TYPE = "catalog.type.updated"
    VERSION = 1


class EntityTypeDeleted(Deleted):
    TYPE = "catalog.type.deleted"
    VERSION = 1


class ImageFormatCreated(ImageFormatState):
    TYPE = "catalog.image_format.created"
    VERSION = 1


class ImageFormatUpdated(ImageFormatState):
    TYPE = "catalog.image_format.updated"
    VERSION = 1


class ImageFormatDeleted(Deleted):
    TYPE = "catalog.image_format.deleted"
    VERSION = 1


class StudioCreated(StudioState):
    TYPE = "catalog.studio.created"
    VERSION = 1


class StudioUpdated(StudioState):
    TYPE = "catalog.studio.updated"
    VERSION = 1


class StudioDeleted(Deleted):
    TYPE = "catalog.studio.deleted"
    VERSION = 1


class ProjectCreated(ProjectState):
    TYPE = "catalog.project.created"
    VERSION = 1


class ProjectUpdated(ProjectState):
    TYPE = "catalog.project.updated"
    VERSION = 1


class ProjectDeleted(Deleted):
    TYPE = "catalog.project.deleted"
    VERSION = 1


class TaskCreated(TaskState):
    TYPE = "catalog.task.created"
    VERSION = 1


class TaskUpdated(TaskState):
    TYPE = "catalog.task.updated"
    VERSION = 1


class TaskDeleted(Deleted):
    TYPE = "catalog.task.deleted"
    VERSION = 1


CATALOG_CONTRACTS: tuple[type[Contract], ...] = (
    *(UserCreated, UserUpdated, UserDeleted),
    *(DepartmentCreated, DepartmentUpdated, DepartmentDeleted),
    *(GroupCreated, GroupUpdated, GroupDeleted),
    *(RoleCreated, RoleUpdated, RoleDeleted),
    *(StatusCreated, StatusUpdated, StatusDeleted),
    *(StatusListCreated, StatusListUpdated, StatusListDeleted),
    *(EntityTypeCreated, EntityTypeUpdated, EntityTypeDeleted),
    *(ImageFormatCreated, ImageFormatUpdated, ImageFormatDeleted),
    *(StudioCreated, StudioUpdated, StudioDeleted),
    *(ProjectCreated, ProjectUpdated, ProjectDeleted),
    *(TaskCreated, TaskUpdated, TaskDeleted),
)
