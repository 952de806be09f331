"""notes: notes on projects, tasks, versions and reviews, and the catalog's mirror of versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 00:40:00

`known_version` is filled from the versions service's events (catalog.version-events); its ids are the
versions service's 64-bit keys, as is a note's `version_id` (no foreign key: that service owns them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import stalker_shared.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "known_version",
        sa.Column("id", VERSION_KEY, autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("take_name", sa.String(length=64), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_version")),
    )
    op.create_index(op.f("ix_known_version_project_id"), "known_version", ["project_id"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("version_id", VERSION_KEY, nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("version_id IS NULL OR review_id IS NULL", name=op.f("ck_note_one_target")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_note_project_id_project"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_note_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_note_review_id_review"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_note_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
        sqlite_autoincrement=True,
    )
    for column in ("project_id", "task_id", "version_id", "review_id"):
        op.create_index(op.f(f"ix_note_{column}"), "note", [column], unique=False)


def downgrade() -> None:
    op.drop_table("note")
    op.drop_table("known_version")
