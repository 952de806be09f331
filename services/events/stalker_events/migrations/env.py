"""Alembic environment of the events database."""

from stalker_events.db.models import Base
from stalker_shared.migrations import run_migrations_in_env

run_migrations_in_env(Base.metadata)
