"""Users, departments, groups, roles, and authentication."""

from __future__ import annotations

from pydantic import Field, SecretStr

from stalker_catalog.api.schemas.common import Audit, Input, Output
from stalker_shared.access import ProjectRole

Name = Field(min_length=1, max_length=256)


class UserCreate(Input):
    name: str = Name
    login: str = Field(min_length=1, max_length=256)
    email: str = Field(min_length=3, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1024)
    description: str = ""
    efficiency: float = Field(1.0, ge=0)
    rate: float = Field(0.0, ge=0)
    department_ids: list[int] = []
    group_ids: list[int] = []


class UserUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    login: str | None = Field(None, min_length=1, max_length=256)
    email: str | None = Field(None, min_length=3, max_length=320)
    password: SecretStr | None = Field(None, min_length=1, max_length=1024)
    description: str | None = None
    efficiency: float | None = Field(None, ge=0)
    rate: float | None = Field(None, ge=0)
    department_ids: list[int] | None = None
    group_ids: list[int] | None = None


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


class CollectionCreate(Input):
    name: str = Name
    description: str = ""
    user_ids: list[int] = []


class CollectionUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    description: str | None = None
    user_ids: list[int] | None = None


class CollectionRead(Audit):
    """A department or a group. `users` and `members` are the same list (as in the reference)."""

    id: int
    name: str
    description: str
    user_ids: list[int]
    member_ids: list[int]


ACCESS_HELP = "What a project member with this role may do (see the README's authorization matrix)"


class RoleCreate(Input):
    name: str = Name
    description: str = ""
    access: ProjectRole = Field(ProjectRole.ARTIST, description=ACCESS_HELP)


class RoleUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=256)
    description: str | None = None
    access: ProjectRole | None = Field(None, description=ACCESS_HELP)


class RoleRead(Audit):
    id: int
    name: str
    description: str
    access: ProjectRole


class Token(Output):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(Output):
    id: int
    login: str
    is_admin: bool
    project_roles: dict[str, ProjectRole] = Field(
        default_factory=dict, description="Project id -> the caller's role in it"
    )
