"""Reading tasks back: with every relation an event or a response needs, in a fixed number of statements
whatever the number of tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    any_,
    bindparam,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from stalker_catalog.db.models import (
    Project,
    Task,
    TaskDependency,
    shot_sequence,
    task_alternative_resource,
    task_computed_resource,
    task_resource,
    task_responsible,
    task_watcher,
)
from stalker_catalog.db.studio_queries import studio_calendar
from stalker_catalog.db.task_snapshot import chunks
from stalker_catalog.domain.calendar import StudioCalendar
from stalker_catalog.domain.errors import NotFound
from stalker_shared.scope import UNSCOPED

# What a task's events (TaskUpdated.model_validate) and the responses read; every relation is lazy="raise".
TASK_LOAD = (
    selectinload(Task.resources),
    selectinload(Task.alternative_resources),
    selectinload(Task.computed_resources),
    selectinload(Task.dependencies),
    selectinload(Task.sequences),
    selectinload(Task.responsible),
    selectinload(Task.watchers),
)


async def load_tasks(session: AsyncSession, task_ids: Sequence[int], *, unscoped: bool = False) -> list[Task]:
    """The tasks with their relations, in the order of the ids (missing ids are skipped). `unscoped`:
    whatever the caller may see (the workflow's events of a dependent in another project)."""
    found: dict[int, Task] = {}
    for batch in chunks(task_ids):
        statement = select(Task).where(Task.id.in_(batch)).options(*TASK_LOAD)
        statement = statement.execution_options(**{UNSCOPED: unscoped})
        found.update({task.id: task for task in (await session.scalars(statement)).unique()})
    return [found[task_id] for task_id in task_ids if task_id in found]


def expire_tasks(session: AsyncSession) -> None:
    """Forget the tasks the session holds, after statements that wrote their rows around the ORM."""
    for entity in list(session.sync_session.identity_map.values()):
        if isinstance(entity, Task):
            session.expire(entity)


async def load_task(session: AsyncSession, task_id: int, kind: str | None = None) -> Task:
    """One task with its relations; NotFound when missing or of another kind than ``kind``."""
    tasks = await load_tasks(session, [task_id])
    if not tasks or kind not in (None, tasks[0].kind):
        raise NotFound(f"no {kind or 'task'} with id {task_id}")
    return tasks[0]


async def load_children(session: AsyncSession, task_id: int) -> list[Task]:
    statement = select(Task).where(Task.parent_id == task_id).options(*TASK_LOAD).order_by(Task.id)
    return list((await session.scalars(statement)).unique())


@dataclass(frozen=True)
class ReadContext:
    """Facts a task's response shows that are not on its row."""

    calendar: StudioCalendar
    containers: frozenset[int]  # ids that have children
    project_defaults: dict[int, tuple[int | None, float]]  # project id -> (image format id, fps)


async def read_context(
    session: AsyncSession, task_ids: Sequence[int], shot_project_ids: Iterable[int]
) -> ReadContext:
    """Calendar, which of the tasks have children and the shots' project defaults (at most three
    statements per chunk of ids)."""
    calendar = await studio_calendar(session)
    statements, connection = _statements(session), await session.connection()
    containers: set[int] = set()
    for batch in chunks(task_ids):
        parents = (await connection.execute(statements.containers, {"ids": batch})).scalars()
        containers.update(i for i in parents if i is not None)
    shot_projects = sorted(set(shot_project_ids))
    defaults: dict[int, tuple[int | None, float]] = {}
    if shot_projects:
        rows = await connection.execute(statements.project_defaults, {"ids": shot_projects})
        defaults = {pid: (fmt, fps) for pid, fmt, fps in rows}
    return ReadContext(calendar, frozenset(containers), defaults)


@dataclass(frozen=True)
class TaskLinks:
    """Tasks' relations by task id: user ids, dependencies as dicts and sequence ids, each list in the
    order the ORM relations give. A task with none of a kind is missing from that mapping."""

    resource_ids: dict[int, list[int]]
    alternative_resource_ids: dict[int, list[int]]
    computed_resource_ids: dict[int, list[int]]
    depends: dict[int, list[dict[str, Any]]]
    sequence_ids: dict[int, list[int]]
    responsible_ids: dict[int, list[int]]
    watcher_ids: dict[int, list[int]]


_DEPENDENCY_FIELDS = ("depends_on_id", "target", "gap_timing", "gap_unit", "gap_model")


def links_of(tasks: Sequence[Task]) -> TaskLinks:
    """The relations of tasks loaded with TASK_LOAD."""
    return TaskLinks(
        resource_ids={t.id: [u.id for u in t.resources] for t in tasks},
        alternative_resource_ids={t.id: [u.id for u in t.alternative_resources] for t in tasks},
        computed_resource_ids={t.id: [u.id for u in t.computed_resources] for t in tasks},
        depends={
            t.id: [{name: getattr(d, name) for name in _DEPENDENCY_FIELDS} for d in t.dependencies]
            for t in tasks
        },
        sequence_ids={t.id: [s.id for s in t.sequences] for t in tasks},
        responsible_ids={t.id: [u.id for u in t.responsible] for t in tasks},
        watcher_ids={t.id: [u.id for u in t.watchers] for t in tasks},
    )


# The TaskLinks fields read by _ReadStatements.user_links, by their index in its rows.
_USER_LINKS = (
    "resource_ids",
    "alternative_resource_ids",
    "computed_resource_ids",
    "sequence_ids",
    "responsible_ids",
    "watcher_ids",
)


@dataclass(frozen=True)
class _ReadStatements:
    """The statements that read a page's context and relations, each taking its ids as `ids`."""

    containers: Select[Any]
    project_defaults: Select[Any, Any, Any]  # (project id, image format id, fps)
    user_links: CompoundSelect[Any, Any, Any]  # (index in _USER_LINKS, task id, user or sequence id)
    dependencies: Select[Any]


def _statements(session: AsyncSession) -> _ReadStatements:
    return _read_statements(session.get_bind().dialect.name == "postgresql")


@cache
def _read_statements(array: bool) -> _ReadStatements:
    """Built once per process, run on the session's connection (columns need no ORM result handling).
    On PostgreSQL the ids are one array parameter (`= ANY(:ids)`): an expanding `IN` is rendered value
    by value on every execution, and that rendering was half of a 1,000-task page's server time (py-spy,
    bench/api.py). SQLite (the embedded system) has no arrays and keeps the expanding `IN`."""

    def among_ids(column: Any) -> ColumnElement[bool]:
        if array:
            return cast(ColumnElement[bool], column == any_(bindparam("ids", type_=ARRAY(Integer))))
        return cast(ColumnElement[bool], column.in_(bindparam("ids", expanding=True)))

    def pairs(link: int, table: Any, key: str, value: str) -> Select[Any, Any, Any]:
        """(link, key, value) of the rows of `table` whose key is an id."""
        return select(
            literal_column(str(link)).label("link"),
            table.c[key].label("task_id"),
            table.c[value].label("other_id"),
        ).where(among_ids(table.c[key]))

    dependency = cast(Any, TaskDependency.__table__)
    return _ReadStatements(
        containers=select(Task.parent_id).where(among_ids(Task.parent_id)).distinct(),
        project_defaults=select(Project.id, Project.image_format_id, Project.fps).where(
            among_ids(Project.id)
        ),
        # One statement for the six tables (the ids sent once), in the order the ORM relations give.
        user_links=union_all(
            pairs(0, task_resource, "task_id", "user_id"),
            pairs(1, task_alternative_resource, "task_id", "user_id"),
            pairs(2, task_computed_resource, "task_id", "user_id"),
            pairs(3, shot_sequence, "shot_id", "sequence_id"),
            pairs(4, task_responsible, "task_id", "user_id"),
            pairs(5, task_watcher, "task_id", "user_id"),
        ).order_by(literal_column("link"), literal_column("task_id"), literal_column("other_id")),
        dependencies=select(dependency.c.task_id, *(dependency.c[f] for f in _DEPENDENCY_FIELDS))
        .where(among_ids(dependency.c.task_id))
        .order_by(dependency.c.task_id, dependency.c.depends_on_id),
    )


async def read_links(session: AsyncSession, task_ids: Sequence[int]) -> TaskLinks:
    """The tasks' relations with two set-based statements per chunk of ids and no ORM objects: a page of
    1,000 tasks spent most of its time building and reading ORM objects (py-spy, bench/api.py)."""
    statements, connection = _statements(session), await session.connection()
    found: tuple[defaultdict[int, list[Any]], ...] = tuple(defaultdict(list) for _ in _USER_LINKS)
    depends: defaultdict[int, list[Any]] = defaultdict(list)
    for batch in chunks(task_ids):
        ids = {"ids": batch}
        for link, task_id, other_id in await connection.execute(statements.user_links, ids):
            found[link][task_id].append(other_id)
        # As dicts with _DEPENDENCY_FIELDS' keys, written as a literal: one dict built per dependency.
        rows = await connection.execute(statements.dependencies, ids)
        for task_id, on, target, timing, unit, model in rows:
            depends[task_id].append(
                {
                    "depends_on_id": on,
                    "target": target,
                    "gap_timing": timing,
                    "gap_unit": unit,
                    "gap_model": model,
                }
            )
    return TaskLinks(depends=depends, **dict(zip(_USER_LINKS, found, strict=True)))
