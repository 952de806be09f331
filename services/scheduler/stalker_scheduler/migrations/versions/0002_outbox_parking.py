"""outbox parking: a message the broker refuses is parked with its reason

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:30:00
"""

from collections.abc import Sequence

from stalker_shared.outbox_migration import add_parking, drop_parking

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_parking()


def downgrade() -> None:
    drop_parking()
