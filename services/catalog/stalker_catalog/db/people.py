"""Users, departments, groups and roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stalker_catalog.db.base import Audited, Base

ADMINS = "admins"  # the group whose members are the studio's admins


class User(Audited, Base):
    __tablename__ = "user"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (see Project)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    login: Mapped[str] = mapped_column(String(256), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(512))
    description: Mapped[str] = mapped_column(Text, default="")
    efficiency: Mapped[float] = mapped_column(default=1.0)
    rate: Mapped[float] = mapped_column(default=0.0)
    # The person's own week ({"mon": [[600, 840]], ...}, minutes in the studio's zone; a day missing is off),
    # sent to tj3 as their resource's working hours; None: the studio's.
    working_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A deactivated user cannot log in and their tokens are refused; their rows stay referenced.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Each token carries the version it was issued at (claim `ver`); bumping it revokes every token and
    # refresh token of the user: a password change, an admin-rights change, a deactivation, a logout.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

    departments: Mapped[list[Department]] = relationship(
        secondary="department_user", back_populates="users", lazy="raise", order_by="Department.id"
    )
    groups: Mapped[list[Group]] = relationship(
        secondary="group_user", back_populates="users", lazy="raise", order_by="Group.id"
    )

    # The relations as the user's events carry them (stalker_shared.contracts.catalog.UserState).
    @property
    def department_ids(self) -> list[int]:
        return [d.id for d in self.departments]

    @property
    def group_ids(self) -> list[int]:
        return [g.id for g in self.groups]

    @property
    def is_admin(self) -> bool:
        return any(g.name == ADMINS for g in self.groups)


class Department(Audited, Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")

    users: Mapped[list[User]] = relationship(
        secondary="department_user", back_populates="departments", lazy="raise", order_by="User.id"
    )

    @property
    def user_ids(self) -> list[int]:
        """As the department's events carry its users."""
        return [u.id for u in self.users]


class DepartmentUser(Base):
    __tablename__ = "department_user"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id", ondelete="SET NULL"))


class Group(Audited, Base):
    __tablename__ = "group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")

    users: Mapped[list[User]] = relationship(
        secondary="group_user", back_populates="groups", lazy="raise", order_by="User.id"
    )

    @property
    def user_ids(self) -> list[int]:
        """As the group's events carry its users."""
        return [u.id for u in self.users]


class GroupUser(Base):
    __tablename__ = "group_user"

    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Role(Audited, Base):
    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # What a project member with this role may do (stalker_shared.access.ProjectRole).
    access: Mapped[str] = mapped_column(String(16), default="artist", server_default="artist")
