"""role access: what a project member with the role may do (producer, lead, artist, viewer)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role") as batch:
        batch.add_column(sa.Column("access", sa.String(16), nullable=False, server_default="artist"))


def downgrade() -> None:
    with op.batch_alter_table("role") as batch:
        batch.drop_column("access")
