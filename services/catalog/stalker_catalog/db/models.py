"""The catalog's ORM models (its own database)."""

from __future__ import annotations

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stalker_shared.db import NAMING_CONVENTION
from stalker_shared.tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


MESSAGING = add_messaging_tables(Base.metadata)


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    code: Mapped[str] = mapped_column(String(256), unique=True)
    revision: Mapped[int] = mapped_column(default=1)
