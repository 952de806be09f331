"""token version: tokens are revoked by bumping the user's token version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:30:00

Also a user's `active` flag, the refresh tokens (stored as SHA-256 hashes) and the failed-login counters of
the login throttle.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import stalker_shared.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch copy of the table would lose its AUTOINCREMENT, and with
    # it the rule that ids are never reused.
    op.add_column("user", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("user", sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_refresh_token_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    op.create_index(op.f("ix_refresh_token_user_id"), "refresh_token", ["user_id"], unique=False)
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failure")),
    )


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_index(op.f("ix_refresh_token_user_id"), table_name="refresh_token")
    op.drop_table("refresh_token")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("token_version")
        batch.drop_column("active")
