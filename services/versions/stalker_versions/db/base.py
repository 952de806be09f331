"""Declarative base of the versions service's models, and the columns most of them share."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from stalker_shared.db import NAMING_CONVENTION, UTCDateTime, utcnow
from stalker_shared.tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


MESSAGING = add_messaging_tables(Base.metadata)


class Audited:
    """Revision (optimistic locking: a concurrent update fails instead of overwriting), timestamps, author."""

    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The catalog's user id from the caller's token (users live in the catalog's database).
    created_by_id: Mapped[int | None]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.revision}
