"""The outbox parking change of every service's `outbox_message` table (the table is shared:
tables.py), written once; each service's migration calls it in its own revision chain."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from stalker_shared.db import UTCDateTime
from stalker_shared.tables import PARKED, PENDING

# Before parking, pending meant only "not published".
OLD_PENDING = "published_at IS NULL"


def add_parking() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("parked_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("parked_reason", sa.Text(), nullable=True))
        batch.drop_index("ix_outbox_message_pending", **_where(OLD_PENDING))
        batch.create_index("ix_outbox_message_pending", ["id"], unique=False, **_where(PENDING))
        batch.create_index("ix_outbox_message_parked", ["id"], unique=False, **_where(PARKED))


def drop_parking() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_parked", **_where(PARKED))
        batch.drop_index("ix_outbox_message_pending", **_where(PENDING))
        batch.create_index("ix_outbox_message_pending", ["id"], unique=False, **_where(OLD_PENDING))
        batch.drop_column("parked_reason")
        batch.drop_column("parked_at")
        batch.drop_column("last_error")


def _where(predicate: str) -> dict[str, Any]:
    return {"postgresql_where": sa.text(predicate), "sqlite_where": sa.text(predicate)}
