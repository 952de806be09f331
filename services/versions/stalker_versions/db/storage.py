"""Repositories, structures, filename templates, and each project's storage (its repositories in order
and its structure)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stalker_versions.db.base import Audited, Base


class Repository(Audited, Base):
    __tablename__ = "repository"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    linux_path: Mapped[str | None] = mapped_column(String(1024))
    macos_path: Mapped[str | None] = mapped_column(String(1024))
    windows_path: Mapped[str | None] = mapped_column(String(1024))


class FilenameTemplate(Audited, Base):
    __tablename__ = "filename_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    target_entity_type: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)


structure_template = Table(
    "structure_template",
    Base.metadata,
    Column("structure_id", ForeignKey("structure.id", ondelete="CASCADE"), primary_key=True),
    Column("template_id", ForeignKey("filename_template.id"), primary_key=True, index=True),
    Column("position", Integer, nullable=False),
)


class Structure(Audited, Base):
    __tablename__ = "structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    custom_template: Mapped[str] = mapped_column(Text, default="")

    templates: Mapped[list[FilenameTemplate]] = relationship(
        secondary=structure_template,
        lazy="raise",
        order_by=structure_template.c.position,
        viewonly=True,
    )


class ProjectRepository(Base):
    __tablename__ = "project_repository"
    __table_args__ = (UniqueConstraint("project_id", "position"),)

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project_storage.project_id", ondelete="CASCADE"), primary_key=True
    )
    repository_id: Mapped[int] = mapped_column(ForeignKey("repository.id"), primary_key=True, index=True)
    position: Mapped[int]


class ProjectStorage(Audited, Base):
    __tablename__ = "project_storage"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project_ref.id"), primary_key=True, autoincrement=False
    )
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id"), index=True)

    repositories: Mapped[list[ProjectRepository]] = relationship(
        lazy="raise", order_by=ProjectRepository.position, cascade="all, delete-orphan"
    )
