"""calendars: vacations (a user's or the whole studio's), public holidays, a user's own working hours;
schedule job ids never reused on SQLite

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 03:40:00

On SQLite a table's ids are reused after its highest rows are deleted unless it is AUTOINCREMENT, which
only a table's creation can say: `schedule_job` (and its parts, whose foreign key would otherwise cascade
their deletion) are rebuilt with their rows. PostgreSQL sequences never reuse ids: nothing to do there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import stalker_shared.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = stalker_shared.db.UTCDateTime(timezone=True)


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "vacation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("start", UTC_DATETIME, nullable=False),
        sa.Column("end", UTC_DATETIME, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_audit_columns(),
        sa.CheckConstraint('"end" > start', name=op.f("ck_vacation_ordered")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_vacation_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_vacation_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacation")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_vacation_user_start", "vacation", ["user_id", "start"], unique=False)
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_holiday_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday")),
        sa.UniqueConstraint("date", name=op.f("uq_holiday_date")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("working_hours", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_jobs_with_autoincrement()


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("working_hours")
    op.drop_table("holiday")
    op.drop_index("ix_vacation_user_start", table_name="vacation")
    op.drop_table("vacation")


JOB_COLUMNS = (
    "id, studio_id, status, project_ids, compute_resources, requested_by_id, requested_at, requests_merged, "
    "started_at, finished_at, message, problems, timings, tasks_scheduled, parts, parts_done"
)
PART_COLUMNS = "job_id, part, status, project_ids, tasks, finished_at, tasks_scheduled, timings, problems"


def _rebuild_jobs_with_autoincrement() -> None:
    """Keep the rows aside, drop the parts then the jobs (so no cascade runs), create both again, the jobs
    AUTOINCREMENT, and put the rows back."""
    op.execute(f"CREATE TEMP TABLE saved_job AS SELECT {JOB_COLUMNS} FROM schedule_job")
    op.execute(f"CREATE TEMP TABLE saved_part AS SELECT {PART_COLUMNS} FROM schedule_job_part")
    op.drop_table("schedule_job_part")
    op.drop_table("schedule_job")
    op.create_table(
        "schedule_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("project_ids", sa.JSON(), nullable=True),
        sa.Column("compute_resources", sa.Boolean(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTC_DATETIME, nullable=False),
        sa.Column("requests_merged", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("timings", sa.JSON(), nullable=True),
        sa.Column("tasks_scheduled", sa.Integer(), nullable=True),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("parts_done", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_schedule_job_requested_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["studio_id"], ["studio.id"], name=op.f("fk_schedule_job_studio_id_studio"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_job")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_schedule_job_studio_id"), "schedule_job", ["studio_id"], unique=False)
    op.create_index(
        "uq_schedule_job_running",
        "schedule_job",
        ["studio_id"],
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
    )
    op.create_table(
        "schedule_job_part",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("project_ids", sa.JSON(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("tasks_scheduled", sa.Integer(), nullable=True),
        sa.Column("timings", sa.JSON(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["schedule_job.id"],
            name=op.f("fk_schedule_job_part_job_id_schedule_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "part", name=op.f("pk_schedule_job_part")),
    )
    op.execute(f"INSERT INTO schedule_job ({JOB_COLUMNS}) SELECT {JOB_COLUMNS} FROM saved_job")
    op.execute(f"INSERT INTO schedule_job_part ({PART_COLUMNS}) SELECT {PART_COLUMNS} FROM saved_part")
    op.execute("DROP TABLE saved_job")
    op.execute("DROP TABLE saved_part")
