"""tracking: time logs, reviews, a task's responsible and watchers, review rounds and logged seconds

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 00:30:00

A resource's time logs may not overlap, in both modes, as a constraint (not only a check in the handler,
which two writers could pass at once): an exclusion constraint over `[start, end)` on PostgreSQL
(btree_gist gives `=` on the resource id inside a GiST index), a trigger on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import stalker_shared.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_OVERLAP = "time_log_no_overlap"


def _audited() -> list[sa.Column[object]]:
    return [
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
    ]


def _user_link(name: str) -> None:
    op.create_table(
        name,
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f(f"fk_{name}_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f(f"fk_{name}_user_id_user")),
        sa.PrimaryKeyConstraint("task_id", "user_id", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_user_id"), name, ["user_id"], unique=False)


def _owned(name: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f(f"fk_{name}_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f(f"fk_{name}_project_id_project"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f(f"fk_{name}_created_by_id_user"), ondelete="SET NULL"
        ),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN (see 0004: a batch copy of the table would lose its AUTOINCREMENT).
    op.add_column("task", sa.Column("review_number", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("task", sa.Column("logged_seconds", sa.Float(), nullable=False, server_default="0"))
    _user_link("task_responsible")
    _user_link("task_watcher")

    op.create_table(
        "time_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("start", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_audited(),
        *_owned("time_log"),
        sa.ForeignKeyConstraint(["resource_id"], ["user.id"], name=op.f("fk_time_log_resource_id_user")),
        sa.CheckConstraint('"end" > start', name=op.f("ck_time_log_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_log")),
        sqlite_autoincrement=True,
    )
    for column in ("task_id", "project_id", "resource_id"):
        op.create_index(op.f(f"ix_time_log_{column}"), "time_log", [column], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE time_log ADD CONSTRAINT {NO_OVERLAP} EXCLUDE USING gist "
            "(resource_id WITH =, tstzrange(start, \"end\", '[)') WITH &&)"
        )
    else:
        for when in ("INSERT", "UPDATE"):
            op.execute(
                f"""CREATE TRIGGER {NO_OVERLAP}_{when.lower()} BEFORE {when} ON time_log
                WHEN EXISTS (SELECT 1 FROM time_log other WHERE other.resource_id = NEW.resource_id
                    AND other.id IS NOT NEW.id AND other.start < NEW."end" AND other."end" > NEW.start)
                BEGIN SELECT RAISE(ABORT, '{NO_OVERLAP}'); END"""
            )

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("review_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=True),
        sa.Column("schedule_timing", sa.Float(), nullable=False),
        sa.Column("schedule_unit", sa.String(length=4), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("decided_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=True),
        *_audited(),
        *_owned("review"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user.id"], name=op.f("fk_review_reviewer_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sqlite_autoincrement=True,
    )
    for column in ("task_id", "project_id", "reviewer_id"):
        op.create_index(op.f(f"ix_review_{column}"), "review", [column], unique=False)


def downgrade() -> None:
    op.drop_table("review")
    if op.get_bind().dialect.name != "postgresql":
        for when in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {NO_OVERLAP}_{when}")
    op.drop_table("time_log")
    op.drop_table("task_watcher")
    op.drop_table("task_responsible")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("logged_seconds")
        batch.drop_column("review_number")
