"""Projects and the users working on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stalker_catalog.db.base import Audited, Base
from stalker_catalog.db.people import Role, User
from stalker_shared.access import role_of


class Project(Audited, Base):
    __tablename__ = "project"
    # Other services keep deleted projects and tasks by id (the versions service's tombstones): an id
    # must never come back. SQLite reuses the highest deleted rowid unless the table says AUTOINCREMENT.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_list.id"), index=True)
    status: Mapped[str] = mapped_column(ForeignKey("status.code"))
    image_format_id: Mapped[int | None] = mapped_column(ForeignKey("image_format.id"), index=True)
    fps: Mapped[float] = mapped_column(default=25.0)
    start: Mapped[datetime | None]
    end: Mapped[datetime | None]
    computed_start: Mapped[datetime | None]
    computed_end: Mapped[datetime | None]

    users: Mapped[list[User]] = relationship(secondary="project_user", lazy="raise", order_by="User.id")
    # The same rows with their roles, for reading (ProjectUser rows are written directly).
    members: Mapped[list[ProjectUser]] = relationship(
        lazy="raise", viewonly=True, order_by="ProjectUser.user_id"
    )

    @property
    def user_ids(self) -> list[int]:
        """As the project's events carry its users."""
        return [u.id for u in self.users]


class ProjectUser(Base):
    __tablename__ = "project_user"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id", ondelete="SET NULL"))
    rate: Mapped[float] = mapped_column(default=0.0)

    assigned_role: Mapped[Role | None] = relationship(lazy="joined", viewonly=True)

    @property
    def role(self) -> str:
        """The member's access level (producer, lead, artist or viewer), as the project's events carry it."""
        return role_of(self.assigned_role.access if self.assigned_role is not None else None).value
