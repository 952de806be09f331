"""Handlers of the review workflow and the task actions (reference §3.8.3, §6.5).

A review request moves a WIP task to PREV and asks each of its responsible (the nearest ancestor's when it
has none) for a verdict, in a new round numbered after the task's finished rounds. A round is finalized
when none of its reviews is NEW: approved by all, the task is CMPL with its timing clamped to the time
logged; any revision, the task is HREV with the revisions' extra time. Unlike the reference, a review
that already has its verdict cannot be decided again (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from stalker_catalog.db.projects import ProjectUser
from stalker_catalog.db.tasks import Task, task_responsible
from stalker_catalog.db.tracking import Review
from stalker_catalog.db.tracking_queries import round_reviews, task_user_ids
from stalker_catalog.db.version_mirror import live_version
from stalker_catalog.domain.errors import Conflict, NotFound, StatusRuleError, ValidationFailed
from stalker_catalog.domain.scheduling import check_timing_span
from stalker_catalog.domain.workflow import ReviewVerdict, Verdict, Workflow
from stalker_catalog.service.task_people import require_members
from stalker_catalog.service.workflow import (
    Outcome,
    locked_in_project,
    open_workflow,
    run_action,
    save_workflow,
)
from stalker_shared.access import Operation
from stalker_shared.contracts.tracking import (
    ReviewApproved,
    ReviewDeleted,
    ReviewRequested,
    ReviewRevisionRequested,
)
from stalker_shared.db import utcnow
from stalker_shared.errors import Forbidden
from stalker_shared.repository import get_one
from stalker_shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AskRevision:
    schedule_timing: float = 1.0
    schedule_unit: str = "h"
    description: str = ""


async def request_review(
    uow: UnitOfWork, task_id: int, version_id: int | None = None, description: str = ""
) -> tuple[list[Review], Outcome]:
    """The task's resources ask; leads and producers may ask for anyone's task."""
    session = uow.session
    task = await get_one(session, Task, task_id, field="task_id")
    uow.access.require(Operation.REVIEW_REQUEST, task.project_id)
    runner = uow.access.may(Operation.REVIEW_REQUEST_ANY, task.project_id)
    if not runner and uow.access.user_id not in await task_user_ids(session, task_id):
        raise Forbidden(
            f"only the task's resources, leads and producers may ask for a review of task {task_id}",
            operation=Operation.REVIEW_REQUEST.value,
        )
    if version_id is not None:
        await _check_version(uow, version_id, task_id)
    workflow = await open_workflow(uow, task.project_id, task_id)
    workflow.request_review(task_id)
    node = workflow.nodes[task_id]
    reviewers = await _responsible(uow, workflow, task_id)
    if not reviewers:
        # The reference moves the task to PREV with no review, where nothing can approve it.
        raise Conflict(
            f"{node.label()} has no responsible, nor has any of its parents: set who reviews it "
            f"(/catalog/v1/tasks/{{id}}/responsible) first",
            "responsible_ids",
            task_id=task_id,
        )
    reviews = [
        Review(
            task_id=task_id,
            project_id=task.project_id,
            reviewer_id=reviewer_id,
            review_number=node.review_number + 1,
            status=ReviewVerdict.NEW,
            version_id=version_id,
            description=description,
            created_by_id=uow.access.user_id or None,
        )
        for reviewer_id in reviewers
    ]
    session.add_all(reviews)
    await session.flush()
    outcome = await save_workflow(uow, workflow, "review_requested")
    await uow.publish_many([ReviewRequested.model_validate(review) for review in reviews])
    return reviews, outcome


async def approve(uow: UnitOfWork, review_id: int, description: str | None = None) -> tuple[Review, Outcome]:
    review = await _open_review(uow, review_id)
    return await _decide(uow, review, ReviewVerdict.APPROVED, description, None)


async def request_revision(uow: UnitOfWork, review_id: int, ask: AskRevision) -> tuple[Review, Outcome]:
    review = await _open_review(uow, review_id)
    return await _decide(uow, review, ReviewVerdict.REVISION, ask.description, ask)


async def request_task_revision(
    uow: UnitOfWork, task_id: int, reviewer_id: int | None, ask: AskRevision
) -> tuple[Review, Outcome]:
    """A revision asked on the task itself (PREV or CMPL): its open reviews are dropped and one review,
    sent back at once, takes their place."""
    session = uow.session
    task = await get_one(session, Task, task_id, field="task_id")
    uow.access.require(Operation.TASK_STATUS, task.project_id)
    if reviewer_id is not None:
        await require_members(session, task.project_id, [reviewer_id], "reviewer_id")
    workflow = await open_workflow(uow, task.project_id, task_id, downstream=True)
    workflow.check_revisable(task_id)
    node = workflow.nodes[task_id]
    dropped = [r for r in await round_reviews(session, task_id, node.review_number + 1) if r.status == "NEW"]
    for review in dropped:
        await session.delete(review)
    await uow.publish_many(
        [
            ReviewDeleted(id=r.id, revision=r.revision + 1, task_id=task_id, project_id=r.project_id)
            for r in dropped
        ]
    )
    review = Review(
        task_id=task_id,
        project_id=task.project_id,
        reviewer_id=reviewer_id or uow.access.user_id,
        review_number=node.review_number + 1,
        status=ReviewVerdict.NEW,
        created_by_id=uow.access.user_id or None,
    )
    session.add(review)
    await session.flush()
    return await _decide(uow, review, ReviewVerdict.REVISION, ask.description, ask, workflow)


async def hold(uow: UnitOfWork, task_id: int) -> Outcome:
    return await _task_action(uow, task_id, "hold", Workflow.hold)


async def stop(uow: UnitOfWork, task_id: int) -> Outcome:
    """Its dependents are re-evaluated (a stopped task counts as done)."""
    return await _task_action(uow, task_id, "stop", Workflow.stop, downstream=True)


async def resume(uow: UnitOfWork, task_id: int) -> Outcome:
    return await _task_action(uow, task_id, "resume", Workflow.resume)


TASK_ACTIONS = {"hold": hold, "stop": stop, "resume": resume}


async def _task_action(
    uow: UnitOfWork,
    task_id: int,
    action: str,
    act: Callable[[Workflow, int], None],
    *,
    downstream: bool = False,
) -> Outcome:
    task = await get_one(uow.session, Task, task_id, field="task_id")
    uow.access.require(Operation.TASK_STATUS, task.project_id)
    return await run_action(
        uow, task.project_id, task_id, action, lambda workflow: act(workflow, task_id), downstream=downstream
    )


async def _open_review(uow: UnitOfWork, review_id: int) -> Review:
    review = await locked_in_project(uow, Review, review_id)
    if review.reviewer_id != uow.access.user_id:
        uow.access.require(Operation.REVIEW_DECIDE, review.project_id)
    if review.status != ReviewVerdict.NEW:
        raise StatusRuleError(
            f"review {review.id} is {review.status}: only a NEW review can be approved or sent back",
            "status",
            review_id=review.id,
            review_status=review.status,
            allowed_statuses=[ReviewVerdict.NEW],
        )
    return review


async def _decide(
    uow: UnitOfWork,
    review: Review,
    verdict: str,
    description: str | None,
    ask: AskRevision | None,
    workflow: Workflow | None = None,
) -> tuple[Review, Outcome]:
    session = uow.session
    if workflow is None:
        workflow = await open_workflow(uow, review.project_id, review.task_id, downstream=True)
    review.status = verdict
    review.decided_at = utcnow()
    if description is not None:
        review.description = description
    if ask is not None:
        check_timing_span(ask.schedule_timing, ask.schedule_unit)
        review.schedule_timing, review.schedule_unit = ask.schedule_timing, ask.schedule_unit
    await session.flush()
    round_ = await round_reviews(session, review.task_id, review.review_number)
    if all(r.status != ReviewVerdict.NEW for r in round_):
        workflow.finalize(
            review.task_id, [Verdict(r.status, r.schedule_timing, r.schedule_unit) for r in round_]
        )
    action = "review_approved" if ask is None else "revision_requested"
    outcome = await save_workflow(uow, workflow, action)
    event = ReviewApproved if verdict == ReviewVerdict.APPROVED else ReviewRevisionRequested
    await uow.publish(event.model_validate(review))
    return review, outcome


async def _check_version(uow: UnitOfWork, version_id: int, task_id: int) -> None:
    version = await live_version(uow.session, version_id)
    if version is None:
        raise NotFound(
            f"no version with id {version_id} (or the catalog has not heard of it yet)", field="version_id"
        )
    if version.task_id != task_id:
        raise ValidationFailed(
            f"version {version_id} is a version of task {version.task_id}, not of task {task_id}",
            field="version_id",
        )


async def _responsible(uow: UnitOfWork, workflow: Workflow, task_id: int) -> list[int]:
    """The task's responsible, or its nearest ancestor's that has some (reference: inherited)."""
    chain: list[int] = []
    node_id: int | None = task_id
    while node_id is not None:
        chain.append(node_id)
        node_id = workflow.nodes[node_id].parent_id
    project_id = workflow.nodes[task_id].project_id
    members = select(ProjectUser.user_id).where(ProjectUser.project_id == project_id)
    rows = await uow.session.execute(  # those who left the project review nothing of it
        select(task_responsible.c.task_id, task_responsible.c.user_id)
        .where(task_responsible.c.task_id.in_(chain), task_responsible.c.user_id.in_(members))
        .order_by(task_responsible.c.user_id)
    )
    by_task: dict[int, list[int]] = {}
    for owner, user_id in rows:
        by_task.setdefault(owner, []).append(user_id)
    for owner in chain:
        if by_task.get(owner):
            return by_task[owner]
    return []
