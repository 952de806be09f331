"""project members: each user's access level in each project, from the catalog's project states

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00

Not a plan table (db/revision.py): who may make a version does not change where it goes, so a change of
membership leaves the cached plans valid and needs no plan-revision trigger.

Projects already in the read model get their members from their next state (a ProjectUpdated event or a
fetch of a newer revision); until then only admins see them here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_member",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_project_member")),
    )
    op.create_index(op.f("ix_project_member_user_id"), "project_member", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_project_member_user_id"), table_name="project_member")
    op.drop_table("project_member")
