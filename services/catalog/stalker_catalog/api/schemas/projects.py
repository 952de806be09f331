"""Projects and the users working on them."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from stalker_catalog.api.schemas.common import Audit, Input, Output

STATUS_HELP = "A status code of the project's status list; defaults to the list's first status"


class ProjectCreate(Input):
    name: str = Field(min_length=1, max_length=256)
    code: str = Field(min_length=1, max_length=256, description="Unique")
    description: str = ""
    status_list_id: int | None = Field(None, description="Defaults to the default list for Project")
    status: str | None = Field(None, min_length=1, max_length=16, description=STATUS_HELP)
    image_format_id: int | None = None
    fps: float = Field(25.0, gt=0)
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    user_ids: list[int] = Field([], description="Users added with no role and their own rate")


class ProjectUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    code: str | None = Field(None, min_length=1, max_length=256)
    description: str | None = None
    status_list_id: int | None = None
    status: str | None = Field(None, min_length=1, max_length=16)
    image_format_id: int | None = Field(None, description="null removes the image format")
    fps: float | None = Field(None, gt=0)
    start: AwareDatetime | None = Field(None, description="null clears it")
    end: AwareDatetime | None = Field(None, description="null clears it")


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
    user_id: int
    role_id: int | None = None
    rate: float | None = Field(None, ge=0, description="Defaults to the user's rate")


class ProjectUserRead(Output):
    user_id: int
    name: str
    login: str
    role_id: int | None
    role: str | None
    access: str = Field(description="What the member may do here: producer, lead, artist or viewer")
    rate: float
