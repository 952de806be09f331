"""Declarative base of the events service's models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from stalker_shared.db import NAMING_CONVENTION, UTCDateTime
from stalker_shared.tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


MESSAGING = add_messaging_tables(Base.metadata)
