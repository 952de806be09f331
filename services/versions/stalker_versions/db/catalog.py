"""The catalog's projects, their members and tasks, and its users' standing (admin, active, token version),
as this service knows them (its read model), kept up to date from catalog events or fetched from the
catalog. Project and task rows are never removed: a
deletion leaves a tombstone, so a late, older event cannot bring an object back. A project's members are
replaced with each newer state of the project and removed with it."""

from __future__ import annotations

from sqlalchemy import JSON, String, true
from sqlalchemy.orm import Mapped, mapped_column

from stalker_versions.db.base import Base


class ProjectRef(Base):
    __tablename__ = "project_ref"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str] = mapped_column(String(256))
    revision: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)


class TaskRef(Base):
    __tablename__ = "task_ref"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(index=True)
    parent_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str | None] = mapped_column(String(256))
    type_id: Mapped[int | None]
    sequence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    revision: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)


class ProjectMember(Base):
    """A user's access level in a project (stalker_shared.access.ProjectRole), as of the project's
    revision held in project_ref: who may see the project's rows here and what they may do."""

    __tablename__ = "project_member"

    project_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
    role: Mapped[str] = mapped_column(String(16))


class UserAccount(Base):
    """A catalog user as far as a token's check needs: every request's token must name a user held here
    (or one the catalog vouches for, while its first event is on its way: db/access.py), active, at the
    token version held here. A deleted user stays as a tombstone, so a late event cannot revive them."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    login: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    token_version: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)
