"""Making sure the read model holds a task, its ancestors, its project and its shot's sequence before a
version is made: what is missing is fetched from the catalog (no transaction is open meanwhile) and
stored with the same revision rules as events. Once the read model holds them, the catalog is not
needed at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.catalog_client import CatalogLookup
from stalker_versions.db.catalog import ProjectRef, TaskRef
from stalker_versions.db.queries import MAX_TREE_DEPTH, task_chain
from stalker_versions.domain.errors import Conflict, DomainError, NotFound
from stalker_versions.service.catalog_events import ProjectFacts, TaskFacts, apply_project, apply_task


@dataclass
class Missing:
    tasks: list[int] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)
    # Optional: a shot's sequence only names the `sequence` variable; a failed lookup is not an error.
    sequences: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.tasks or self.projects or self.sequences)


@dataclass
class TaskContext:
    """What the read model holds of a task: its chain (root first), project, its shot's known sequences,
    and what is missing."""

    chain: list[TaskRef]
    project: ProjectRef | None
    sequences: dict[int, TaskRef]
    missing: Missing


async def read_task_context(session: AsyncSession, task_id: int) -> TaskContext:
    """The task's context from the read model; NotFound when the catalog deleted it or its project."""
    chain = await task_chain(session, task_id)
    if not chain:
        return TaskContext([], None, {}, Missing(tasks=[task_id]))
    gone = next((t for t in chain if t.deleted), None)
    if gone is not None:
        raise NotFound(f"task {gone.id} was deleted in the catalog", field="task_id")
    missing = Missing()
    if chain[0].parent_id is not None:
        missing.tasks.append(chain[0].parent_id)
    project = await session.get(ProjectRef, chain[-1].project_id)
    if project is None:
        missing.projects.append(chain[-1].project_id)
    elif project.deleted:
        raise NotFound(f"project {project.id} was deleted in the catalog", field="task_id")
    sequences = await _shot_sequences(session, chain)
    shot = next((t for t in reversed(chain) if t.kind == "shot"), None)
    if shot is not None and shot.sequence_ids and not sequences and all(t.kind != "sequence" for t in chain):
        missing.sequences.append(shot.sequence_ids[0])
    return TaskContext(chain, project, sequences, missing)


async def _shot_sequences(session: AsyncSession, chain: list[TaskRef]) -> dict[int, TaskRef]:
    wanted = {i for task in chain if task.kind == "shot" for i in task.sequence_ids or ()}
    if not wanted:
        return {}
    rows = await session.scalars(select(TaskRef).where(TaskRef.id.in_(wanted), TaskRef.deleted.is_(False)))
    return {row.id: row for row in rows}


async def ensure_task(
    units: Callable[[], UnitOfWork], catalog: CatalogLookup, task_id: int, token: str | None
) -> None:
    """Fetch whatever of the task's context the read model lacks; NotFound if the catalog has no such task."""
    tried_sequences: set[int] = set()
    for _ in range(MAX_TREE_DEPTH):
        async with units() as uow:
            missing = (await read_task_context(uow.session, task_id)).missing
        missing.sequences = [s for s in missing.sequences if s not in tried_sequences]
        if not missing:
            return
        tried_sequences.update(missing.sequences)
        tasks, projects = await _fetch(catalog, missing, token)
        async with units() as uow:
            for project in projects:
                await apply_project(uow.session, project)
            for task in tasks:
                await apply_task(uow.session, task)
            await uow.commit()
    raise Conflict(f"task {task_id} sits deeper than {MAX_TREE_DEPTH} levels", field="task_id")


async def _fetch(
    catalog: CatalogLookup, missing: Missing, token: str | None
) -> tuple[list[TaskFacts], list[ProjectFacts]]:
    tasks: list[TaskFacts] = []
    for task_id in missing.tasks:
        task = await catalog.task(task_id, token)
        if task is None:
            raise NotFound(f"no task with id {task_id} in the catalog", field="task_id")
        tasks.append(task)
    for sequence_id in missing.sequences:
        try:
            sequence = await catalog.task(sequence_id, token)
        except DomainError:
            continue  # optional: the version is still made, without a `sequence`
        if sequence is not None:
            tasks.append(sequence)
    projects: list[ProjectFacts] = []
    for project_id in missing.projects:
        project = await catalog.project(project_id, token)
        if project is None:
            raise NotFound(f"no project with id {project_id} in the catalog", field="task_id")
        projects.append(project)
    return tasks, projects


async def ensure_project(
    units: Callable[[], UnitOfWork], catalog: CatalogLookup, project_id: int, token: str | None
) -> None:
    """Fetch the project from the catalog when the read model lacks it; NotFound if it does not exist."""
    async with units() as uow:
        known = await uow.session.get(ProjectRef, project_id)
    if known is not None:
        if known.deleted:
            raise NotFound(f"project {project_id} was deleted in the catalog")
        return
    project = await catalog.project(project_id, token)
    if project is None:
        raise NotFound(f"no project with id {project_id}")
    async with units() as uow:
        await apply_project(uow.session, project)
        await uow.commit()
