"""Alembic environment of the versions database."""

from stalker_shared.migrations import run_migrations_in_env
from stalker_versions.db.models import Base

run_migrations_in_env(Base.metadata)
