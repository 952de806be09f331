"""Users, departments, groups, roles, and authentication."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_shared.access import ProjectRole
from stalker_shared.types import LINE, Factor, Ids, Name, SingleLine, Text

Email = Annotated[str, Field(min_length=3, max_length=320, json_schema_extra=LINE), SingleLine]


class UserCreate(Input):
    name: Name
    login: Name
    email: Email
    password: SecretStr = Field(min_length=1, max_length=1024)
    description: Text = ""
    efficiency: Factor = 1.0
    rate: Factor = 0.0
    department_ids: Ids = []
    group_ids: Ids = []


class UserUpdate(Input):
    name: Name | None = None
    login: Name | None = None
    email: Email | None = None
    password: SecretStr | None = Field(None, min_length=1, max_length=1024)
    description: Text | None = None
    efficiency: Factor | None = None
    rate: Factor | None = None
    department_ids: Ids | None = None
    group_ids: Ids | None = None
    active: bool | None = Field(
        None, description="false deactivates the user: no login, every token refused (admins only)"
    )


class UserRead(Audit):
    id: int
    name: str
    login: str
    email: str
    description: str
    efficiency: float
    rate: float
    department_ids: list[int]
    group_ids: list[int]
    active: bool = True
    is_admin: bool = False


class CollectionCreate(Input):
    name: Name
    description: Text = ""
    user_ids: Ids = []


class CollectionUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    user_ids: Ids | None = None


class CollectionRead(Audit):
    """A department or a group. `users` and `members` are the same list (as in the reference)."""

    id: int
    name: str
    description: str
    user_ids: list[int]
    member_ids: list[int]


ACCESS_HELP = "What a project member with this role may do (see the README's authorization matrix)"


class RoleCreate(Input):
    name: Name
    description: Text = ""
    access: ProjectRole = Field(ProjectRole.ARTIST, description=ACCESS_HELP)


class RoleUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    access: ProjectRole | None = Field(None, description=ACCESS_HELP)


class RoleRead(Audit):
    id: int
    name: str
    description: str
    access: ProjectRole


class Token(Output):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str = Field(description="Gets a new pair at POST /auth/refresh, once; keep it secret")
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid")


class RefreshRequest(Input):
    refresh_token: str = Field(min_length=1, max_length=256)


class LogoutRequest(Input):
    refresh_token: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="End only the session of this refresh token (its access token lapses within minutes); "
        "omitted: every token of the caller, on every device",
    )


class Me(Output):
    id: int
    login: str
    is_admin: bool
    project_roles: dict[str, ProjectRole] = Field(
        default_factory=dict, description="Project id -> the caller's role in it"
    )
