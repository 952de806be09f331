"""The task tree: one table for every node kind (task, asset, shot, sequence, scene), with dependencies,
resources and the shots' sequences."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stalker_catalog.db.base import Audited, Base
from stalker_catalog.db.people import User


def _user_link(name: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
        Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
    )


task_resource = _user_link("task_resource")
task_alternative_resource = _user_link("task_alternative_resource")
task_computed_resource = _user_link("task_computed_resource")
task_responsible = _user_link("task_responsible")  # who reviews the task's work (a parent's if empty)
task_watcher = _user_link("task_watcher")

shot_sequence = Table(
    "shot_sequence",
    Base.metadata,
    Column("shot_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("sequence_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True, index=True),
)


# What only a shot has; its events carry them in `extra`, in this order.
SHOT_FIELDS = ("cut_in", "cut_out", "fps", "image_format_id")


def shot_extra(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The `extra` of a task's events: the shot fields of a shot, nothing for any other kind."""
    return {name: values[name] for name in SHOT_FIELDS} if kind == "shot" else {}


class Task(Audited, Base):
    __tablename__ = "task"
    __table_args__ = (
        Index(
            "uq_task_shot_code",
            "project_id",
            "code",
            unique=True,
            postgresql_where=text("kind = 'shot'"),
            sqlite_where=text("kind = 'shot'"),
        ),
        {"sqlite_autoincrement": True},  # ids are never reused (see Project)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="task")
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str | None] = mapped_column(String(256))
    type_id: Mapped[int | None] = mapped_column(ForeignKey("entity_type.id"), index=True)
    status: Mapped[str] = mapped_column(ForeignKey("status.code"))
    priority: Mapped[int] = mapped_column(default=500)
    schedule_timing: Mapped[float] = mapped_column(default=1.0)
    schedule_unit: Mapped[str] = mapped_column(String(4), default="h")
    schedule_model: Mapped[str] = mapped_column(String(8), default="effort")
    schedule_constraint: Mapped[str] = mapped_column(String(8), default="none")
    start: Mapped[datetime | None]
    end: Mapped[datetime | None]
    is_milestone: Mapped[bool] = mapped_column(default=False)
    bid_timing: Mapped[float | None]
    bid_unit: Mapped[str | None] = mapped_column(String(4))
    allocation_strategy: Mapped[str] = mapped_column(String(16), default="minallocated")
    persistent_allocation: Mapped[bool] = mapped_column(default=True)
    computed_start: Mapped[datetime | None]
    computed_end: Mapped[datetime | None]
    # Shots only; image format and fps fall back to the project's when unset.
    cut_in: Mapped[int | None]
    cut_out: Mapped[int | None]
    image_format_id: Mapped[int | None] = mapped_column(ForeignKey("image_format.id"))
    fps: Mapped[float | None]
    # Tracking: the number of review rounds finished, and the seconds of the task's own time logs (kept by
    # every time log write, so no figure ever sums the logs).
    review_number: Mapped[int] = mapped_column(default=0)
    logged_seconds: Mapped[float] = mapped_column(default=0.0)

    resources: Mapped[list[User]] = relationship(secondary=task_resource, lazy="raise", order_by="User.id")
    alternative_resources: Mapped[list[User]] = relationship(
        secondary=task_alternative_resource, lazy="raise", order_by="User.id"
    )
    computed_resources: Mapped[list[User]] = relationship(
        secondary=task_computed_resource, lazy="raise", order_by="User.id"
    )
    responsible: Mapped[list[User]] = relationship(
        secondary=task_responsible, lazy="raise", order_by="User.id"
    )
    watchers: Mapped[list[User]] = relationship(secondary=task_watcher, lazy="raise", order_by="User.id")
    dependencies: Mapped[list[TaskDependency]] = relationship(
        foreign_keys="TaskDependency.task_id",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="TaskDependency.depends_on_id",
        passive_deletes=True,
    )
    sequences: Mapped[list[Task]] = relationship(
        secondary=shot_sequence,
        primaryjoin="Task.id == shot_sequence.c.shot_id",
        secondaryjoin="Task.id == shot_sequence.c.sequence_id",
        lazy="raise",
        order_by="Task.id",
    )

    # The relations and the shot's own fields as the task's events carry them
    # (stalker_shared.contracts.catalog.TaskState); they need TASK_LOAD (db/task_queries.py).
    @property
    def resource_ids(self) -> list[int]:
        return [u.id for u in self.resources]

    @property
    def alternative_resource_ids(self) -> list[int]:
        return [u.id for u in self.alternative_resources]

    @property
    def computed_resource_ids(self) -> list[int]:
        return [u.id for u in self.computed_resources]

    @property
    def responsible_ids(self) -> list[int]:
        return [u.id for u in self.responsible]

    @property
    def watcher_ids(self) -> list[int]:
        return [u.id for u in self.watchers]

    @property
    def sequence_ids(self) -> list[int]:
        return [s.id for s in self.sequences]

    @property
    def extra(self) -> dict[str, Any]:
        return shot_extra(self.kind, {name: getattr(self, name) for name in SHOT_FIELDS})


class TaskDependency(Base):
    __tablename__ = "task_dependency"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    target: Mapped[str] = mapped_column(String(8), default="onend")
    gap_timing: Mapped[float] = mapped_column(default=0.0)
    gap_unit: Mapped[str] = mapped_column(String(4), default="h")
    gap_model: Mapped[str] = mapped_column(String(8), default="length")
