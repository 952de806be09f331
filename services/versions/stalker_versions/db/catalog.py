"""The catalog's projects, their members and tasks as this service knows them (its read model), kept up
to date from catalog events or fetched from the catalog. Project and task rows are never removed: a
deletion leaves a tombstone, so a late, older event cannot bring an object back. A project's members are
replaced with each newer state of the project and removed with it."""

from __future__ import annotations

from sqlalchemy import JSON, String
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
