"""The scheduler's ORM models (its own database: outbox and inbox so far)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from stalker_shared.db import NAMING_CONVENTION
from stalker_shared.tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


MESSAGING = add_messaging_tables(Base.metadata)
