"""Events of production tracking in the catalog: time logs, task status changes and reviews.

Their routing keys stay out of `catalog.task.*` (the versions service's binding for the task tree): a
status change is `catalog.task_status.changed`, not a `catalog.task.*` event a task mirror would have to
know. A status change also comes with the task's full state as `catalog.task.updated`."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from stalker_shared.contracts.catalog import AggregateState, Deleted
from stalker_shared.contracts.envelope import Contract


class TimeLogState(AggregateState):
    task_id: int
    project_id: int
    resource_id: int
    start: AwareDatetime
    end: AwareDatetime
    description: str = ""


class TimeLogCreated(TimeLogState):
    TYPE = "catalog.time_log.created"
    VERSION = 1


class TimeLogUpdated(TimeLogState):
    TYPE = "catalog.time_log.updated"
    VERSION = 1


class TimeLogDeleted(Deleted):
    TYPE = "catalog.time_log.deleted"
    VERSION = 1

    task_id: int
    project_id: int
    resource_id: int


class TaskStatusChanged(Contract):
    """A task's status moved by the workflow: `action` is what moved it (a time log, a review request, an
    approval, a revision, hold, stop, resume, or a dependency's change reaching it)."""

    TYPE = "catalog.task_status.changed"
    VERSION = 1

    task_id: int
    project_id: int
    task_revision: int = Field(ge=1, description="The task's revision after the move")
    from_status: str
    to_status: str
    action: str


class ReviewState(AggregateState):
    task_id: int
    project_id: int
    reviewer_id: int
    review_number: int
    status: str  # NEW, APP (approved) or RREV (revision requested)
    version_id: int | None = None
    schedule_timing: float = 0.0
    schedule_unit: str = "h"
    description: str = ""
    decided_at: AwareDatetime | None = None


class ReviewRequested(ReviewState):
    TYPE = "catalog.review.requested"
    VERSION = 1


class ReviewApproved(ReviewState):
    TYPE = "catalog.review.approved"
    VERSION = 1


class ReviewRevisionRequested(ReviewState):
    TYPE = "catalog.review.revision_requested"
    VERSION = 1


class ReviewDeleted(Deleted):
    """A NEW review dropped when its round was replaced by a revision asked on the task itself."""

    TYPE = "catalog.review.deleted"
    VERSION = 1

    task_id: int
    project_id: int


TRACKING_CONTRACTS: tuple[type[Contract], ...] = (
    *(TimeLogCreated, TimeLogUpdated, TimeLogDeleted),
    TaskStatusChanged,
    *(ReviewRequested, ReviewApproved, ReviewRevisionRequested, ReviewDeleted),
)
