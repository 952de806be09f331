"""outbox parking: a message the broker refuses is parked with its reason

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:30:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import stalker_shared.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Pending messages are those neither published nor parked; parked ones get an index of their own (the
# parked view and metric read them).
OLD_PENDING = "published_at IS NULL"
PENDING = "published_at IS NULL AND parked_at IS NULL"
PARKED = "parked_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("parked_at", stalker_shared.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("parked_reason", sa.Text(), nullable=True))
        batch.drop_index("ix_outbox_message_pending", **_where(OLD_PENDING))
        batch.create_index("ix_outbox_message_pending", ["id"], unique=False, **_where(PENDING))
        batch.create_index("ix_outbox_message_parked", ["id"], unique=False, **_where(PARKED))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_parked", **_where(PARKED))
        batch.drop_index("ix_outbox_message_pending", **_where(PENDING))
        batch.create_index("ix_outbox_message_pending", ["id"], unique=False, **_where(OLD_PENDING))
        batch.drop_column("parked_reason")
        batch.drop_column("parked_at")
        batch.drop_column("last_error")


def _where(predicate: str) -> dict[str, Any]:
    return {"postgresql_where": sa.text(predicate), "sqlite_where": sa.text(predicate)}
