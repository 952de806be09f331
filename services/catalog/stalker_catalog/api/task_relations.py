"""Routes of a task's relations: children, dependencies, resources and alternative resources (every change
through the same rules as a task update: loops, the status rule, events), responsible and watchers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from operator import attrgetter
from typing import Any

from fastapi import APIRouter, Response, status

from stalker_catalog.api.read_models import dependency_read, task_reads, user_read
from stalker_catalog.api.schemas.common import MemberRef
from stalker_catalog.api.schemas.people import UserRead
from stalker_catalog.api.schemas.tasks import DependencyIn, DependencyRead, DependencySet, TaskRead, UserIds
from stalker_catalog.api.task_io import dependency_spec
from stalker_catalog.db.models import Task
from stalker_catalog.db.task_queries import load_children, load_task
from stalker_catalog.service import people, task_people, tasks
from stalker_shared.requests import Work
from stalker_shared.types import Id
from stalker_shared.unit_of_work import UnitOfWork

NO_CONTENT = status.HTTP_204_NO_CONTENT


def relations_router() -> APIRouter:
    router = APIRouter(prefix="/v1/tasks", tags=["tasks"])

    @router.get("/{task_id}/children", response_model=list[TaskRead])
    async def children(uow: Work, task_id: Id) -> list[TaskRead]:
        await load_task(uow.session, task_id)
        return await task_reads(uow.session, await load_children(uow.session, task_id))

    _dependencies(router)
    for field, path in (("resource_ids", "resources"), ("alternative_resource_ids", "alternative_resources")):
        _users(router, field, path)
    for relation in task_people.LINKS:
        _people(router, relation)
    return router


def _dependencies(router: APIRouter) -> None:
    @router.get("/{task_id}/dependencies", response_model=list[DependencyRead])
    async def dependencies(uow: Work, task_id: Id) -> list[DependencyRead]:
        return [dependency_read(d) for d in (await load_task(uow.session, task_id)).dependencies]

    @router.put("/{task_id}/dependencies", response_model=list[DependencyRead])
    async def set_dependencies(uow: Work, task_id: Id, body: DependencySet) -> list[DependencyRead]:
        wanted = [dependency_spec(d.model_dump() if isinstance(d, DependencyIn) else d) for d in body.depends]
        task = await tasks.edit_relation(uow, task_id, "depends", lambda _: wanted)
        return [dependency_read(d) for d in task.dependencies]

    @router.post(
        "/{task_id}/dependencies", response_model=list[DependencyRead], status_code=status.HTTP_201_CREATED
    )
    async def add_dependency(uow: Work, task_id: Id, body: DependencyIn) -> list[DependencyRead]:
        edit = tasks.adding_dependency(dependency_spec(body.model_dump()))
        task = await tasks.edit_relation(uow, task_id, "depends", edit)
        return [dependency_read(d) for d in task.dependencies]

    @router.delete("/{task_id}/dependencies/{depends_on_id}", status_code=NO_CONTENT)
    async def remove_dependency(uow: Work, task_id: Id, depends_on_id: Id) -> Response:
        await tasks.edit_relation(uow, task_id, "depends", tasks.removing_dependency(depends_on_id, task_id))
        return Response(status_code=NO_CONTENT)


def _users(router: APIRouter, field: str, path: str) -> None:
    """Resources and alternative resources: changed through the task tree's rules."""

    async def edit(uow: UnitOfWork, task_id: int, change: tasks.Edit) -> Task:
        return await tasks.edit_relation(uow, task_id, field, change)

    chosen = attrgetter("resources" if field == "resource_ids" else "alternative_resources")
    _user_routes(router, path, field, edit, chosen)


def _people(router: APIRouter, relation: str) -> None:
    """Responsible and watchers: changed on their own (they are no part of the task tree's rules)."""

    async def edit(uow: UnitOfWork, task_id: int, change: tasks.Edit) -> Task:
        return await task_people.edit_people(uow, task_id, relation, change)

    _user_routes(router, relation, relation, edit, attrgetter(relation))


def _user_routes(
    router: APIRouter,
    path: str,
    field: str,
    edit: Callable[[UnitOfWork, int, tasks.Edit], Awaitable[Task]],
    chosen: Callable[[Task], list[Any]],
) -> None:
    async def users_of(uow: UnitOfWork, task: Task) -> list[UserRead]:
        return [user_read(u) for u in await people.load_users(uow, [u.id for u in chosen(task)])]

    @router.get(f"/{{task_id}}/{path}", response_model=list[UserRead], name=f"task_{path}")
    async def listed(uow: Work, task_id: Id) -> list[UserRead]:
        return await users_of(uow, await load_task(uow.session, task_id))

    @router.put(f"/{{task_id}}/{path}", response_model=list[UserRead], name=f"set_task_{path}")
    async def replaced(uow: Work, task_id: Id, body: UserIds) -> list[UserRead]:
        ids = list(body.user_ids)
        return await users_of(uow, await edit(uow, task_id, lambda _: ids))

    @router.post(
        f"/{{task_id}}/{path}",
        response_model=list[UserRead],
        status_code=status.HTTP_201_CREATED,
        name=f"add_task_{path}",
    )
    async def added(uow: Work, task_id: Id, body: MemberRef) -> list[UserRead]:
        return await users_of(uow, await edit(uow, task_id, tasks.adding(body.user_id)))

    @router.delete(f"/{{task_id}}/{path}/{{user_id}}", status_code=NO_CONTENT, name=f"remove_task_{path}")
    async def removed(uow: Work, task_id: Id, user_id: Id) -> Response:
        await edit(uow, task_id, tasks.removing(user_id, field, task_id))
        return Response(status_code=NO_CONTENT)
