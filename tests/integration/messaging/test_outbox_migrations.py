"""Each service's migrations build the outbox table its models describe (the parking columns and the
partial indexes included), on SQLite and PostgreSQL, and the parking migration goes down and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect

from stalker_catalog.definition import catalog_definition
from stalker_scheduler.definition import scheduler_definition
from stalker_shared.db import create_engine
from stalker_shared.migrations import alembic_config, upgrade_to_head
from stalker_shared.runtime import ServiceDefinition
from stalker_versions.definition import versions_definition

DEFINITIONS = {
    "catalog": (catalog_definition, "0002"),
    "versions": (versions_definition, "0003"),
    "scheduler": (scheduler_definition, "0001"),
}


def _outbox_only(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) == "outbox_message"


def _differences(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _outbox_only}
    )
    return list(compare_metadata(context, metadata))


def _partial_indexes(connection: Connection) -> dict[str, str]:
    found = {}
    for index in inspect(connection).get_indexes("outbox_message"):
        options = index.get("dialect_options", {})
        where = options.get("postgresql_where") or options.get("sqlite_where")
        found[index["name"]] = " ".join(str(where).replace("(", "").replace(")", "").split()).lower()
    return found


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    return str(request.getfixturevalue("pg_database"))


@pytest.mark.parametrize("service", sorted(DEFINITIONS))
async def test_migrations_build_the_outbox_the_models_describe(service: str, database_url: str) -> None:
    make, before_parking = DEFINITIONS[service]
    definition: ServiceDefinition = make()
    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine, definition.migrations)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences, definition.metadata) == []
            indexes = await connection.run_sync(_partial_indexes)
        assert "published_at is null and parked_at is null" in indexes["ix_outbox_message_pending"]
        assert "parked_at is not null" in indexes["ix_outbox_message_parked"]

        def down_and_up(connection: Connection) -> None:
            config = alembic_config(definition.migrations)
            config.attributes["connection"] = connection
            command.downgrade(config, before_parking)
            columns = {c["name"] for c in inspect(connection).get_columns("outbox_message")}
            assert "parked_at" not in columns
            command.upgrade(config, "head")

        async with engine.begin() as connection:
            await connection.run_sync(down_and_up)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences, definition.metadata) == []
    finally:
        await engine.dispose()
