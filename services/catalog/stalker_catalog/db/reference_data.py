"""Statuses and status lists, types and image formats: the vocabulary projects and tasks use."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from stalker_catalog.db.base import Audited, Base


class Status(Audited, Base):
    __tablename__ = "status"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class StatusList(Audited, Base):
    __tablename__ = "status_list"
    __table_args__ = (
        # One default list per entity type; a project may point at another list of its type.
        Index(
            "uq_status_list_default_target",
            "target_entity_type",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="")
    target_entity_type: Mapped[str] = mapped_column(String(64))
    is_default: Mapped[bool] = mapped_column(default=False)

    entries: Mapped[list[StatusListStatus]] = relationship(
        lazy="raise",
        order_by="StatusListStatus.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    # The list's statuses in order; the first is the default status of a new member.
    statuses: AssociationProxy[list[Status]] = association_proxy(
        "entries", "status", creator=lambda status: StatusListStatus(status=status)
    )

    @property
    def status_codes(self) -> list[str]:
        """As the list's events carry its statuses (needs STATUS_LIST_LOAD)."""
        return [s.code for s in self.statuses]


class StatusListStatus(Base):
    __tablename__ = "status_list_status"

    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("status_list.id", ondelete="CASCADE"), primary_key=True
    )
    status_id: Mapped[int] = mapped_column(ForeignKey("status.id"), primary_key=True, index=True)
    position: Mapped[int]

    status: Mapped[Status] = relationship(lazy="raise")


# Loader options that make StatusList.statuses readable.
STATUS_LIST_LOAD = (selectinload(StatusList.entries).selectinload(StatusListStatus.status),)


class EntityType(Audited, Base):
    """A `Type` in the reference's vocabulary (asset types such as Character or Prop, ticket types...)."""

    __tablename__ = "entity_type"
    __table_args__ = (UniqueConstraint("target_entity_type", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(Text, default="")
    target_entity_type: Mapped[str] = mapped_column(String(64))


class ImageFormat(Audited, Base):
    __tablename__ = "image_format"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    width: Mapped[int]
    height: Mapped[int]
    pixel_aspect: Mapped[float] = mapped_column(default=1.0)
    print_resolution: Mapped[float] = mapped_column(default=300.0)
