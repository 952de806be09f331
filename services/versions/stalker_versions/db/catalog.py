"""The catalog's projects and tasks as this service knows them (its read model), kept up to date from
catalog events or fetched from the catalog. Rows are never removed: a deletion leaves a tombstone, so
a late, older event cannot bring an object back."""

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
