"""A new version's plan: its task chain, project, filename template and repositories, read from the
database or taken from this process's cache.

Reading a plan takes five queries; a studio makes many versions of the same tasks between changes to
any of that. The cache keeps plans by task under the plan revision they were read at (db/revision.py):
a plan is used only while the revision is still that value, so any committed change to the read model,
a storage, a structure, a template or a repository makes every cached plan stale at once. The revision
is read before the plan, so a plan is never older than the revision it is kept under.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_versions.db.models import PlanRevision
from stalker_versions.db.queries import all_repositories, node_of, roots_of, structure_with_templates
from stalker_versions.db.revision import PLAN_REVISION_ROW
from stalker_versions.domain.context import ProjectView, TaskNode, choose_template, entity_type_of
from stalker_versions.domain.errors import Conflict, NotFound
from stalker_versions.domain.paths import RepositoryRoots
from stalker_versions.service.read_model import read_task_context
from stalker_versions.service.storage import load_storage, project_context

DEFAULT_CAPACITY = 4096


@dataclass(frozen=True)
class TemplateView:
    """The filename template a plan renders (a plain value: plans outlive their session)."""

    id: int
    name: str
    path: str
    filename: str


@dataclass(frozen=True)
class VersionPlan:
    """Everything a new version needs besides its number."""

    chain: tuple[TaskNode, ...]
    sequences: dict[int, TaskNode]
    project: ProjectView
    template: TemplateView
    repositories: tuple[RepositoryRoots, ...]
    default_repository: RepositoryRoots


class ReadModelIncomplete(Exception):
    """The read model lacks part of the task's context: fetch it from the catalog, then try again."""


class PlanCache:
    """Plans by task id, each under the revision it was read at; the least recently used go first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._plans: OrderedDict[int, tuple[int, VersionPlan]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def knows(self, task_id: int) -> bool:
        """A plan of this task is kept, current or not."""
        return task_id in self._plans

    def get(self, task_id: int, revision: int | None) -> VersionPlan | None:
        found = self._plans.get(task_id)
        if revision is None or found is None or found[0] != revision:
            self.misses += 1
            return None
        self._plans.move_to_end(task_id)
        self.hits += 1
        return found[1]

    def put(self, task_id: int, revision: int | None, plan: VersionPlan) -> None:
        if revision is None:  # a database without the revision row (not migrated): nothing is kept
            return
        self._plans[task_id] = (revision, plan)
        self._plans.move_to_end(task_id)
        while len(self._plans) > self.capacity:
            self._plans.popitem(last=False)


_REVISION = select(PlanRevision.value).where(PlanRevision.id == bindparam("row"))


async def plan_revision(session: AsyncSession) -> int | None:
    value = await session.scalar(_REVISION, {"row": PLAN_REVISION_ROW})
    return int(value) if value is not None else None


async def version_plan(
    session: AsyncSession, cache: PlanCache, task_id: int, *, complete: bool, revision: int | None = None
) -> VersionPlan:
    """The task's plan, from the cache while nothing it was read from has changed (`revision`, when the
    caller read it in this transaction, else read here)."""
    if revision is None:
        revision = await plan_revision(session)
    plan = cache.get(task_id, revision)
    if plan is None:
        plan = await read_plan(session, task_id, complete=complete)
        cache.put(task_id, revision, plan)
    return plan


async def read_plan(session: AsyncSession, task_id: int, *, complete: bool) -> VersionPlan:
    """The plan from the database. ReadModelIncomplete (on a first try) or NotFound when the read model
    lacks the task or its project; Conflict when the project's storage cannot place a version."""
    context = await read_task_context(session, task_id)
    # A shot's sequence the read model lacks does not send us to the catalog: it only names `sequence`.
    if context.missing.tasks or context.missing.projects:
        if complete:
            raise ReadModelIncomplete
        raise NotFound(f"task {task_id} or its project is not known", field="task_id")
    chain = tuple(node_of(t) for t in context.chain)
    project = context.project
    assert project is not None
    storage = await load_storage(session, project.id)
    if storage is None or not storage.repositories:
        raise Conflict(f"project {project.code} has no repository: set its storage first", field="task_id")
    if storage.structure_id is None:
        raise Conflict(f"project {project.code} has no structure: set its storage first", field="task_id")
    structure = await structure_with_templates(session, storage.structure_id)
    template = choose_template(chain[-1].kind, {t.target_entity_type: t for t in structure.templates})
    if template is None:
        raise Conflict(
            f"structure {structure.name!r} has no filename template for {entity_type_of(chain[-1].kind)} "
            "nor for Task",
            field="task_id",
        )
    rows = {r.id: r for r in await all_repositories(session)}
    roots = {i: roots_of(r) for i, r in rows.items()}
    return VersionPlan(
        chain=chain,
        sequences={i: node_of(t) for i, t in context.sequences.items()},
        project=project_context(project, storage, rows),
        template=TemplateView(template.id, template.name, template.path, template.filename),
        repositories=tuple(roots.values()),
        default_repository=roots[storage.repositories[0].repository_id],
    )
