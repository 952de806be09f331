"""what-if runs: a schedule job's imagined changes, what it was computed from, and its scenario

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedule_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("what_if", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("scenario", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("scenario_status", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_job", schema=None) as batch_op:
        batch_op.drop_column("scenario_status")
        batch_op.drop_column("scenario")
        batch_op.drop_column("basis")
        batch_op.drop_column("what_if")
