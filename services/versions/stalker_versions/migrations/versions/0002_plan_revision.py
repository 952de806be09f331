"""plan revision: a row the database bumps whenever what a version's plan reads changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in stalker_versions.db.revision (a migration keeps its own copy: it must not change with the code).
TABLES = (
    "task_ref",
    "project_ref",
    "project_storage",
    "project_repository",
    "structure",
    "structure_template",
    "filename_template",
    "repository",
)

# Deferred to commit and guarded to once per transaction: the row is locked only while the writer
# commits, after every other lock it takes, so two writers cannot wait on each other through it.
POSTGRES_BUMP = """
CREATE FUNCTION bump_plan_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE plan_revision
       SET value = value + 1, bumped_by = pg_current_xact_id()::text::bigint
     WHERE id = 1 AND bumped_by IS DISTINCT FROM pg_current_xact_id()::text::bigint;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "plan_revision",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("bumped_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revision")),
    )
    op.execute("INSERT INTO plan_revision (id, value) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_BUMP)
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER plan_revision_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_plan_revision()"
            )
            op.execute(
                f"CREATE TRIGGER plan_revision_{table}_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_revision()"
            )
    else:  # SQLite: one writer at a time, so a plain row trigger per change is enough
        for table in TABLES:
            for change in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER plan_revision_{table}_{change.lower()} AFTER {change} ON {table} "
                    "BEGIN UPDATE plan_revision SET value = value + 1 WHERE id = 1; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER plan_revision_{table} ON {table}")
            op.execute(f"DROP TRIGGER plan_revision_{table}_truncate ON {table}")
        op.execute("DROP FUNCTION bump_plan_revision()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER plan_revision_{table}_{change}")
    op.drop_table("plan_revision")
