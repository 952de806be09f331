"""Alembic, driven from code on an async engine: upgrade to head, and tell whether a database is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


async def upgrade_to_head(engine: AsyncEngine, script_location: Path) -> None:
    config = alembic_config(script_location)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)


async def is_at_head(engine: AsyncEngine, script_location: Path) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config(script_location)).get_heads())

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        return await connection.run_sync(current) == heads


async def make_revision(
    engine: AsyncEngine, script_location: Path, message: str, rev_id: str | None = None
) -> None:
    """Autogenerate a migration from the difference between the models and a database at head."""
    config = alembic_config(script_location)

    def revision(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)

    async with engine.begin() as connection:
        await connection.run_sync(revision)


def run_migrations_in_env(target_metadata: MetaData) -> None:
    """Body of each service's alembic env.py: migrate on the connection handed over by upgrade_to_head."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations with the service's `migrate` command, which supplies the connection"
        )
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
