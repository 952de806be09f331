"""Alembic environment of the versions database."""

from stalker_versions.db.models import Base
from stalker_shared.migrations import run_migrations_in_env

run_migrations_in_env(Base.metadata)
