"""The plan revision: one row whose value grows with every committed change to what a new version's plan
is read from (the task read model, projects, storages, structures, templates, repositories).

Database triggers bump it (migration 0002), so no write path can forget to: a process may keep plans in
memory for as long as the value it read them under is still the value. On PostgreSQL the trigger is a
deferred constraint trigger, run at commit and at most once per transaction, so the row is locked only
while the writer commits and never while it waits for another row (no lock-order deadlocks).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from stalker_versions.db.base import Base

PLAN_REVISION_ROW = 1
# The tables a version's plan reads; a change to any of them makes every cached plan stale.
PLAN_TABLES = (
    "task_ref",
    "project_ref",
    "project_storage",
    "project_repository",
    "structure",
    "structure_template",
    "filename_template",
    "repository",
)


class PlanRevision(Base):
    __tablename__ = "plan_revision"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger)
    # PostgreSQL: the transaction that last bumped it, so one transaction bumps it once.
    bumped_by: Mapped[int | None] = mapped_column(BigInteger)
