"""Handlers of a task's people beyond its resources: its responsible (who reviews its work; a task with
none inherits its nearest ancestor's) and its watchers. A change is a change of the task: its revision
grows and its state goes out as `catalog.task.updated`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_catalog.db.people import User
from stalker_catalog.db.projects import ProjectUser
from stalker_catalog.db.task_queries import expire_tasks, load_task
from stalker_catalog.db.tasks import Task, task_responsible, task_watcher
from stalker_catalog.db.tracking_queries import lock_project
from stalker_catalog.domain.errors import ValidationFailed
from stalker_shared.access import Operation
from stalker_shared.contracts.catalog import TaskUpdated
from stalker_shared.db import utcnow
from stalker_shared.repository import get_many, get_one
from stalker_shared.unit_of_work import UnitOfWork

LINKS = {"responsible": task_responsible, "watchers": task_watcher}


async def edit_people(
    uow: UnitOfWork, task_id: int, relation: str, edit: Callable[[list[int]], list[int]]
) -> Task:
    """Replace the relation's users by `edit(current ids)`."""
    session = uow.session
    task = await get_one(session, Task, task_id, field="task_id")
    uow.access.require(Operation.TASK_WRITE, task.project_id)
    await lock_project(session, task.project_id)
    task = await load_task(session, task_id)
    current = [u.id for u in getattr(task, relation)]
    wanted = list(dict.fromkeys(edit(current)))
    # Only those added must be members: one who has left the project does not block the others.
    await require_members(session, task.project_id, [u for u in wanted if u not in current], "user_ids")
    if wanted == current:
        return task
    link = LINKS[relation]
    await session.execute(delete(link).where(link.c.task_id == task_id))
    if wanted:
        await session.execute(insert(link), [{"task_id": task_id, "user_id": u} for u in wanted])
    await session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(revision=Task.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    expire_tasks(session)
    task = await load_task(session, task_id)
    await uow.publish(TaskUpdated.model_validate(task))
    return task


async def require_members(
    session: AsyncSession, project_id: int, user_ids: Sequence[int], field: str
) -> None:
    """Reviewers and watchers come from the project's members: anyone else could not see the task."""
    await get_many(session, User, user_ids, field)
    members = set(
        await session.scalars(
            select(ProjectUser.user_id).where(
                ProjectUser.project_id == project_id, ProjectUser.user_id.in_(user_ids)
            )
        )
    )
    outsiders = [u for u in user_ids if u not in members]
    if outsiders:
        raise ValidationFailed(
            f"users {', '.join(map(str, outsiders))} are not members of project {project_id}: add them first",
            field=field,
        )
