"""Creating a version: the server decides its number and its paths.

The number comes from a counter row per (task, take), incremented with INSERT ... ON CONFLICT DO UPDATE
... RETURNING in the transaction that inserts the version: concurrent creators queue on that row's lock,
so numbers are 1, 2, 3... without gaps or duplicates, and the counter never goes back, so a deleted
version's number is not handed out again. A unique constraint on (task, take, number) backs this up.
An idempotency key returns the version a first attempt made instead of making another.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.catalog_client import CatalogLookup
from stalker_versions.db.models import (
    FilenameTemplate,
    Version,
    VersionCounter,
    version_input,
    version_output,
)
from stalker_versions.db.queries import (
    all_repositories,
    get_many,
    get_one,
    node_of,
    roots_of,
    structure_with_templates,
)
from stalker_versions.domain.context import (
    ProjectView,
    TaskNode,
    choose_template,
    entity_type_of,
    version_context,
)
from stalker_versions.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from stalker_versions.domain.paths import RepositoryRoots
from stalker_versions.domain.version_paths import (
    Placement,
    check_rendered_filename,
    check_rendered_path,
    full_path,
    normalize_extension,
    place,
)
from stalker_versions.service.events import version_created
from stalker_versions.service.read_model import ensure_task, read_task_context
from stalker_versions.service.storage import load_storage, project_context
from stalker_versions.service.version_reads import DEFAULT_TAKE, VersionRecord, records
from stalker_versions.templates.checks import render_field


@dataclass(frozen=True)
class CreateVersion:
    task_id: int
    created_by_id: int
    take_name: str = DEFAULT_TAKE
    extension: str | None = None
    description: str = ""
    parent_id: int | None = None
    input_ids: tuple[int, ...] = ()
    output_ids: tuple[int, ...] = ()
    idempotency_key: str | None = None

    def fingerprint(self) -> str:
        """What the request asked for, so a reused key with a different request is caught."""
        asked = asdict(self)
        asked.pop("idempotency_key")
        asked["extension"] = normalize_extension(self.extension)
        return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Created:
    record: VersionRecord
    created: bool  # False: an earlier attempt with the same idempotency key made it


@dataclass(frozen=True)
class _Plan:
    """Everything a new version needs, read before the number is taken so its lock is held briefly."""

    chain: list[TaskNode]
    sequences: dict[int, TaskNode]
    project: ProjectView
    template: FilenameTemplate
    repositories: list[RepositoryRoots]
    default_repository: RepositoryRoots


class _ReadModelIncomplete(Exception):
    """The read model lacks part of the task's context: fetch it from the catalog, then try again."""


async def create_version(
    units: Callable[[], UnitOfWork], catalog: CatalogLookup, command: CreateVersion, token: str | None
) -> Created:
    if command.idempotency_key:
        async with units() as uow:
            replay = await _replay(uow.session, command)
        if replay is not None:
            return Created(replay, created=False)
    try:
        return await _create(units, command, complete=True)
    except _ReadModelIncomplete:
        # Only now is the catalog asked, with no transaction open.
        await ensure_task(units, catalog, command.task_id, token)
    return await _create(units, command, complete=False)


async def _create(units: Callable[[], UnitOfWork], command: CreateVersion, *, complete: bool) -> Created:
    async with units() as uow:
        session = uow.session
        plan = await _plan(session, command, complete=complete)
        await _check_links(session, command)
        number = await allocate_number(session, command.task_id, command.take_name)
        if command.idempotency_key:
            # A concurrent attempt with the same key may have committed while this one waited for the lock.
            replay = await _replay(session, command)
            if replay is not None:
                return Created(replay, created=False)  # leaving rolls the counter back
        version, repository = _new_version(plan, command, number)
        session.add(version)
        await session.flush()
        await _insert_links(session, version.id, command)
        await uow.publish(version_created(version, list(command.input_ids), list(command.output_ids)))
        await uow.commit()
    record = VersionRecord(version, list(command.input_ids), list(command.output_ids), repository)
    return Created(record, created=True)


@cache
def _counter_upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING for the dialect, built once per dialect."""
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        upsert(VersionCounter)
        .values(task_id=bindparam("task_id"), take_name=bindparam("take_name"), last_number=1)
        .on_conflict_do_update(
            index_elements=[VersionCounter.task_id, VersionCounter.take_name],
            set_={"last_number": VersionCounter.last_number + 1},
        )
        .returning(VersionCounter.last_number)
    )


async def allocate_number(session: AsyncSession, task_id: int, take_name: str) -> int:
    """The next number of (task, take); the counter row stays locked until the transaction ends."""
    statement = _counter_upsert(session.get_bind().dialect.name)
    result = await session.execute(statement, {"task_id": task_id, "take_name": take_name})
    return int(result.scalar_one())


async def _replay(session: AsyncSession, command: CreateVersion) -> VersionRecord | None:
    statement = select(Version).where(
        Version.created_by_id == command.created_by_id, Version.idempotency_key == command.idempotency_key
    )
    version = (await session.scalars(statement)).one_or_none()
    if version is None:
        return None
    if version.request_fingerprint != command.fingerprint():
        raise ValidationFailed(
            "this Idempotency-Key was already used for a different request; use a new key",
            field="Idempotency-Key",
            version_id=version.id,
        )
    return (await records(session, [version]))[0]


async def _plan(session: AsyncSession, command: CreateVersion, *, complete: bool) -> _Plan:
    context = await read_task_context(session, command.task_id)
    # A shot's sequence the read model lacks does not send us to the catalog: it only names `sequence`.
    if context.missing.tasks or context.missing.projects:
        if complete:
            raise _ReadModelIncomplete
        raise NotFound(f"task {command.task_id} or its project is not known", field="task_id")
    chain = [node_of(t) for t in context.chain]
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
    return _Plan(
        chain=chain,
        sequences={i: node_of(t) for i, t in context.sequences.items()},
        project=project_context(project, storage, rows),
        template=template,
        repositories=list(roots.values()),
        default_repository=roots[storage.repositories[0].repository_id],
    )


async def _check_links(session: AsyncSession, command: CreateVersion) -> None:
    if command.parent_id is not None:
        await get_one(session, Version, command.parent_id, field="parent_id")
    await get_many(session, Version, command.input_ids, "input_ids")
    await get_many(session, Version, command.output_ids, "output_ids")


async def _insert_links(session: AsyncSession, version_id: int, command: CreateVersion) -> None:
    for table, column, ids in (
        (version_input, "input_id", command.input_ids),
        (version_output, "output_id", command.output_ids),
    ):
        if ids:
            await session.execute(insert(table), [{"version_id": version_id, column: i} for i in ids])


def _rendered(plan: _Plan, context: dict[str, Any]) -> tuple[Placement, str]:
    """Where the template puts this version, and its filename. A stored template that does not fit this
    task is a conflict with the project's set-up, not a bad request."""
    template = plan.template
    try:
        path = check_rendered_path(render_field(template.path, context, "path", Conflict))
        filename = check_rendered_filename(render_field(template.filename, context, "filename", Conflict))
        placement = place(path, plan.repositories, plan.default_repository)
    except DomainError as exc:
        raise Conflict(
            f"filename template {template.id} ({template.name!r}) does not fit this task: {exc.message}",
            field=exc.field,
            template_id=template.id,
            **exc.extensions,
        ) from None
    return placement, filename


def _new_version(plan: _Plan, command: CreateVersion, number: int) -> tuple[Version, RepositoryRoots]:
    context = version_context(plan.project, plan.chain, plan.sequences, number, command.take_name)
    placement, filename = _rendered(plan, context)
    extension = normalize_extension(command.extension)
    task = plan.chain[-1]
    version = Version(
        project_id=task.project_id,
        task_id=task.id,
        take_name=command.take_name,
        version_number=number,
        nice_name=context["version"].nice_name,
        path=placement.path,
        filename=filename + extension,
        extension=extension,
        full_path=full_path(placement.path, filename, extension),
        repository_id=placement.repository.id,
        template_id=plan.template.id,
        parent_id=command.parent_id,
        description=command.description,
        created_by_id=command.created_by_id,
        idempotency_key=command.idempotency_key,
        request_fingerprint=command.fingerprint() if command.idempotency_key else None,
    )
    return version, placement.repository
