"""Alembic environment of the scheduler database."""

from stalker_scheduler.db.models import Base
from stalker_shared.migrations import run_migrations_in_env

run_migrations_in_env(Base.metadata)
