"""Versions, the counters their numbers come from, and their inputs and outputs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stalker_shared.db import BigIntKey
from stalker_versions.db.base import Audited, Base


class VersionCounter(Base):
    """The last number handed out per task and take. It only grows: a deleted version's number is
    never handed out again. Allocation updates this row in the transaction that inserts the version,
    so concurrent creators queue on its row lock."""

    __tablename__ = "version_counter"

    task_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    take_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_number: Mapped[int]


def _version_link(name: str, column: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("version_id", BigIntKey, ForeignKey("version.id", ondelete="CASCADE"), primary_key=True),
        Column(column, BigIntKey, ForeignKey("version.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


version_input = _version_link("version_input", "input_id")
version_output = _version_link("version_output", "output_id")


class Version(Audited, Base):
    __tablename__ = "version"
    __table_args__ = (
        UniqueConstraint("task_id", "take_name", "version_number", name="uq_version_number"),
        UniqueConstraint("created_by_id", "idempotency_key", name="uq_version_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project_ref.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task_ref.id"))
    take_name: Mapped[str] = mapped_column(String(64))
    version_number: Mapped[int]
    nice_name: Mapped[str] = mapped_column(String(1024))
    # As rendered when the version was created: `$REPO<id>/...` (or relative to `repository_id`).
    path: Mapped[str] = mapped_column(String(1024))
    filename: Mapped[str] = mapped_column(String(512))
    extension: Mapped[str] = mapped_column(String(17), default="")
    full_path: Mapped[str] = mapped_column(String(1600))
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("filename_template.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("version.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # What the creating request asked for: a retried key with a different request is refused.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
