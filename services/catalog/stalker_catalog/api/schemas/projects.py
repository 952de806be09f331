"""Projects and the users working on them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_catalog.api.schemas.reference_data import StatusCode
from stalker_shared.types import Factor, Id, Ids, Instant, Name, Positive, Text

STATUS_HELP = "A status code of the project's status list; defaults to the list's first status"


class ProjectCreate(Input):
    name: Name
    code: Name = Field(description="Unique")
    description: Text = ""
    status_list_id: Id | None = Field(None, description="Defaults to the default list for Project")
    status: StatusCode | None = Field(None, description=STATUS_HELP)
    image_format_id: Id | None = None
    fps: Positive = 25.0
    start: Instant | None = None
    end: Instant | None = None
    user_ids: Ids = Field([], description="Users added with no role and their own rate")


class ProjectUpdate(Input):
    name: Name | None = None
    code: Name | None = None
    description: Text | None = None
    status_list_id: Id | None = None
    status: StatusCode | None = None
    image_format_id: Id | None = Field(None, description="null removes the image format")
    fps: Positive | None = None
    start: Instant | None = Field(None, description="null clears it")
    end: Instant | None = Field(None, description="null clears it")


class ProjectMemberRef(Output):
    user_id: int
    role: str = Field(description="What the member may do here: producer, lead, artist or viewer")


class ProjectRead(Audit):
    id: int
    name: str
    code: str
    description: str
    status_list_id: int
    status: str
    image_format_id: int | None
    fps: float
    start: datetime | None
    end: datetime | None
    computed_start: datetime | None
    computed_end: datetime | None
    user_ids: list[int]
    members: list[ProjectMemberRef]


class ProjectUserAdd(Input):
    user_id: Id
    role_id: Id | None = None
    rate: Factor | None = Field(None, description="Defaults to the user's rate")


class ProjectUserRead(Output):
    user_id: int
    name: str
    login: str
    role_id: int | None
    role: str | None
    access: str = Field(description="What the member may do here: producer, lead, artist or viewer")
    rate: float
