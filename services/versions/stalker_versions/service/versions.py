"""Creating a version: the server decides its number and its paths.

The number comes from a counter row per (task, take), incremented with INSERT ... ON CONFLICT DO UPDATE
... RETURNING in the transaction that inserts the version: concurrent creators queue on that row's lock,
so numbers are 1, 2, 3... without gaps or duplicates, and the counter never goes back, so a deleted
version's number is not handed out again. A unique constraint on (task, take, number) backs this up.
An idempotency key returns the version a first attempt made instead of making another.

Access is read inside each unit of work of the path (not in a transaction of its own, and after any
fetch from the catalog, which may bring the project's members): its session sees only the caller's
projects, and the task's project must grant the caller `version.create`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from stalker_shared.access import Access, Operation
from stalker_shared.auth import Principal
from stalker_shared.db import utcnow
from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.catalog_client import CatalogLookup
from stalker_versions.db.access import enter_scope
from stalker_versions.db.models import PlanRevision, Version, VersionCounter, version_input, version_output
from stalker_versions.db.queries import get_many, get_one
from stalker_versions.db.revision import PLAN_REVISION_ROW
from stalker_versions.domain.context import version_context
from stalker_versions.domain.errors import Conflict, DomainError, NotFound, UnsafePath, ValidationFailed
from stalker_versions.domain.paths import RepositoryRoots
from stalker_versions.domain.project_folder import ProjectFolder, contain
from stalker_versions.domain.version_paths import (
    Placement,
    check_rendered_filename,
    full_path,
    normalize_extension,
)
from stalker_versions.service.events import version_created
from stalker_versions.service.read_model import ensure_task
from stalker_versions.service.version_plans import (
    PlanCache,
    ReadModelIncomplete,
    VersionPlan,
    version_plan,
)
from stalker_versions.service.version_reads import DEFAULT_TAKE, VersionRecord, records
from stalker_versions.templates.checks import render_field
from stalker_versions.templates.offload import off_loop


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


async def create_version(
    units: Callable[[], UnitOfWork],
    catalog: CatalogLookup,
    plans: PlanCache,
    command: CreateVersion,
    caller: Principal,
    token: str | None,
) -> Created:
    if command.idempotency_key:
        async with units() as uow:
            await enter_scope(uow, caller, catalog)
            replay = await _replay(uow.session, command)
        if replay is not None:
            return Created(replay, created=False)
    try:
        return await _create(units, plans, command, caller, catalog, complete=True)
    except ReadModelIncomplete:
        # Only now is the catalog asked, with no transaction open, with the caller's token: it answers
        # 404 for a task of a project the caller is not a member of. The read model is the system's, so
        # what is fetched is stored without the caller's scope.
        await ensure_task(units, catalog, command.task_id, token)
    return await _create(units, plans, command, caller, catalog, complete=False)


def require_create(access: Access, project_id: int, task_id: int) -> None:
    """`version.create` in the task's project; a non-member is told what an unknown task tells."""
    if not access.sees(project_id):
        raise NotFound(f"task {task_id} or its project is not known", field="task_id")
    access.require(Operation.VERSION_CREATE, project_id)


async def _create(
    units: Callable[[], UnitOfWork],
    plans: PlanCache,
    command: CreateVersion,
    caller: Principal,
    catalog: CatalogLookup,
    *,
    complete: bool,
) -> Created:
    async with units() as uow:
        session = uow.session
        task_id = command.task_id
        access = await enter_scope(uow, caller, catalog)
        # A task seen before takes its number and the plan revision in one statement, and reads its plan
        # again (holding the counter's lock) only if something changed since; a task seen first reads its
        # plan before taking the lock.
        plan = (
            None if plans.knows(task_id) else await version_plan(session, plans, task_id, complete=complete)
        )
        await _check_links(session, command)
        number, revision = await allocate_number(session, task_id, command.take_name)
        if command.idempotency_key:
            # A concurrent attempt with the same key may have committed while this one waited for the lock.
            replay = await _replay(session, command)
            if replay is not None:
                return Created(replay, created=False)  # leaving rolls the counter back
        if plan is None:
            plan = await version_plan(session, plans, task_id, complete=complete, revision=revision)
        # A plan read here went through the caller's scope; one from the cache did not: check both alike.
        require_create(access, plan.chain[-1].project_id, task_id)
        values, repository = await _new_version(plan, command, number)
        version = await _insert_version(session, values)
        await _insert_links(session, version.id, command)
        await uow.publish(version_created(version, list(command.input_ids), list(command.output_ids)))
        await uow.commit()
    record = VersionRecord(version, list(command.input_ids), list(command.output_ids), repository)
    return Created(record, created=True)


_REVISION_NOW = (
    select(PlanRevision.value).where(PlanRevision.id == PLAN_REVISION_ROW).scalar_subquery().label("revision")
)


_COUNTERS = cast(Table, VersionCounter.__table__)


@cache
def _counter_upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING for the dialect, built once per dialect (on the
    table, not the class: the ORM's bulk-insert path costs more than the statement)."""
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        upsert(_COUNTERS)
        .values(task_id=bindparam("task_id"), take_name=bindparam("take_name"), last_number=1)
        .on_conflict_do_update(
            index_elements=[_COUNTERS.c.task_id, _COUNTERS.c.take_name],
            set_={"last_number": _COUNTERS.c.last_number + 1},
        )
        .returning(_COUNTERS.c.last_number, _REVISION_NOW)
    )


async def allocate_number(session: AsyncSession, task_id: int, take_name: str) -> tuple[int, int | None]:
    """The next number of (task, take), and the plan revision; the counter row stays locked until the
    transaction ends."""
    statement = _counter_upsert(session.get_bind().dialect.name)
    number, revision = (await session.execute(statement, {"task_id": task_id, "take_name": take_name})).one()
    return int(number), revision


_VERSION_TABLE = cast(Table, Version.__table__)
_INSERT_VERSION = insert(_VERSION_TABLE).returning(_VERSION_TABLE.c.id)


async def _insert_version(session: AsyncSession, values: dict[str, Any]) -> Version:
    """Insert the row in one statement (no unit-of-work flush); the Version returned is a value, outside
    the session."""
    now = utcnow()
    row = {**values, "revision": 1, "created_at": now, "updated_at": now, "is_published": False}
    version_id = (await session.execute(_INSERT_VERSION, row)).scalar_one()
    return Version(id=version_id, published_at=None, **row)


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


def _rendered(plan: VersionPlan, context: dict[str, Any]) -> tuple[Placement, str]:
    """Where the template puts this version, and its filename (run in a render thread). A path or name
    that would leave the project's folder, or that an operating system cannot use, is a 422 naming the
    template and the value; any other misfit of a stored template is a conflict with the project's
    set-up, not a bad request."""
    template = plan.template
    folder = ProjectFolder(plan.project.code, tuple(r.id for r in plan.project.repositories))
    try:
        path = render_field(template.path, context, "path", Conflict)
        filename = check_rendered_filename(render_field(template.filename, context, "filename", Conflict))
        placement = contain(path, plan.repositories, plan.default_repository, folder)
    except DomainError as exc:
        kind = ValidationFailed if isinstance(exc, UnsafePath) else Conflict
        raise kind(
            f"filename template {template.id} ({template.name!r}) does not fit this task: {exc.message}",
            field=exc.field,
            template_id=template.id,
            template_name=template.name,
            **exc.extensions,
        ) from None
    return placement, filename


async def _new_version(
    plan: VersionPlan, command: CreateVersion, number: int
) -> tuple[dict[str, Any], RepositoryRoots]:
    context = version_context(plan.project, plan.chain, plan.sequences, number, command.take_name)
    placement, filename = await off_loop(_rendered, plan, context)
    extension = normalize_extension(command.extension)
    task = plan.chain[-1]
    values = dict(
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
    return values, placement.repository
