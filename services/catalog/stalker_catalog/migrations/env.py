"""Alembic environment of the catalog database."""

from stalker_catalog.db.models import Base
from stalker_shared.migrations import run_migrations_in_env

run_migrations_in_env(Base.metadata)
