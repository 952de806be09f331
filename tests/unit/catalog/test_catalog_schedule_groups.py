"""A studio's projects split into independent groups (no user shared), and the request split with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stalker_catalog.domain.schedule_groups import independent_groups, split_request
from stalker_shared.contracts.scheduling import (
    Booking,
    ProjectSnapshot,
    ResourceSnapshot,
    ScheduleRequested,
    StudioSnapshot,
    TaskDependency,
    TaskSnapshot,
)

NOW = datetime(2025, 1, 6, tzinfo=UTC)


def test_projects_sharing_a_user_are_one_group() -> None:
    links = [(1, "u1"), (2, "u2"), (3, "u2"), (4, "u4"), (5, "u4"), (3, "u5"), (5, "u5"), (9, "u1")]
    assert independent_groups([5, 4, 3, 2, 1, 6], links) == [(1,), (2, 3, 4, 5), (6,)]
    assert independent_groups([], links) == []


def request(tasks: list[TaskSnapshot], projects: int = 3) -> ScheduleRequested:
    return ScheduleRequested(
        job_id=7,
        studio=StudioSnapshot(id=1, name="S", now=NOW, start=NOW, end=NOW + timedelta(days=90)),
        resources=tuple(ResourceSnapshot(id=u, name=f"u{u}", login=f"u{u}") for u in (10, 11, 12, 13)),
        projects=tuple(ProjectSnapshot(id=p, code=f"P{p}", name=f"P{p}") for p in range(1, projects + 1)),
        tasks=tuple(tasks),
    )


def task(task_id: int, project_id: int, *users: int, alternatives: tuple[int, ...] = ()) -> TaskSnapshot:
    return TaskSnapshot(
        id=task_id,
        project_id=project_id,
        name=f"t{task_id}",
        resources=users,
        alternative_resources=alternatives,
    )


def test_a_request_splits_into_parts_with_their_projects_tasks_and_users() -> None:
    whole = request([task(1, 1, 10), task(2, 2, 11), task(3, 3, 12, alternatives=(11,)), task(4, 1, 10)])
    parts = split_request(whole)
    assert [(p.part, p.parts) for p in parts] == [(0, 2), (1, 2)]
    assert [[project.id for project in p.projects] for p in parts] == [[1], [2, 3]]
    assert [[t.id for t in p.tasks] for p in parts] == [[1, 4], [2, 3]]
    assert [[r.id for r in p.resources] for p in parts] == [[10], [11, 12]]
    assert all(p.job_id == 7 and p.studio == whole.studio for p in parts)


def test_a_studio_that_does_not_split_is_sent_whole_and_taskless_projects_ride_along() -> None:
    shared = request([task(1, 1, 10), task(2, 2, 10)])
    assert split_request(shared) == [shared]  # every user kept, part 0 of 1, as before
    parts = split_request(request([task(1, 2, 10), task(2, 3, 11)], projects=4))
    assert [[project.id for project in p.projects] for p in parts] == [[1, 2, 4], [3]]


def test_a_dependency_across_projects_joins_them() -> None:
    linked = task(2, 2, 11).model_copy(update={"dependencies": (TaskDependency(depends_on_id=1),)})
    assert len(split_request(request([task(1, 1, 10), linked]))) == 1


def test_a_user_with_time_logged_joins_the_projects_and_travels_with_the_part() -> None:
    logged = task(2, 2, 11).model_copy(
        update={"bookings": (Booking(resource_id=13, start=NOW, end=NOW + timedelta(hours=2)),)}
    )
    parts = split_request(request([task(1, 1, 13), logged, task(3, 3, 12)]))
    assert [[project.id for project in p.projects] for p in parts] == [[1, 2], [3]]
    assert [[r.id for r in p.resources] for p in parts] == [[11, 13], [12]]
