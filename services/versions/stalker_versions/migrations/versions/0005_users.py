"""users: each user's admin rights, activity and token version, from the catalog's user states

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:30:00

Not a plan table (db/revision.py): who may call does not change where a version goes. Users already in the
catalog arrive with their next state; until then the catalog is asked about their tokens (db/access.py;
each answer kept 30 s per token, catalog_client.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("login", sa.String(length=256), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
    )


def downgrade() -> None:
    op.drop_table("user_account")
