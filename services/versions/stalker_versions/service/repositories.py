"""Handlers for repositories: each runs in the unit of work it is given, which its caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from stalker_shared.unit_of_work import UnitOfWork
from stalker_versions.db.models import ProjectRepository, Repository, Version
from stalker_versions.db.queries import get_one
from stalker_versions.domain.errors import Conflict, ValidationFailed
from stalker_versions.domain.names import nice_name
from stalker_versions.domain.paths import CODE_PATTERN, OPERATING_SYSTEMS, normalize_root

_CODE = re.compile(CODE_PATTERN)


@dataclass(frozen=True)
class CreateRepository:
    name: str
    code: str | None = None
    linux_path: str | None = None
    macos_path: str | None = None
    windows_path: str | None = None
    created_by_id: int | None = None


@dataclass(frozen=True)
class UpdateRepository:
    repository_id: int
    changes: dict[str, Any] = field(default_factory=dict)


def derive_code(name: str) -> str:
    """A code from the name when none is given: `Commercial Repository` -> `Commercial_Repository`."""
    code = re.sub(r"[^A-Za-z0-9_]", "", nice_name(name))[:64]
    return code if _CODE.match(code) else ("R" + code)[:64]


def _checked_code(code: str) -> str:
    if not _CODE.match(code):
        raise ValidationFailed(
            f"code {code!r} must start with a letter and hold only letters, digits and _ (64 at most), "
            "so that $REPO<code> is a valid variable",
            field="code",
        )
    return code


def _name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise ValidationFailed("name may not be empty", field="name")
    return name


async def _check_unique_code(uow: UnitOfWork, code: str, repository_id: int = -1) -> None:
    clash = await uow.session.scalar(
        select(Repository.id).where(Repository.code == code, Repository.id != repository_id)
    )
    if clash is not None:
        raise Conflict(f"code {code!r} is already used by repository {clash}", field="code")


def _roots(values: dict[str, Any]) -> dict[str, str | None]:
    """Normalized roots for the `<os>_path` keys present; None clears a root."""
    roots: dict[str, str | None] = {}
    for os in OPERATING_SYSTEMS:
        key = f"{os}_path"
        if key in values:
            raw = values[key]
            roots[key] = None if raw is None else normalize_root(raw, os)
    return roots


async def create_repository(uow: UnitOfWork, command: CreateRepository) -> Repository:
    name = _name(command.name)
    code = _checked_code(command.code) if command.code else derive_code(name)
    await _check_unique_code(uow, code)
    roots = _roots(
        {
            "linux_path": command.linux_path,
            "macos_path": command.macos_path,
            "windows_path": command.windows_path,
        }
    )
    repository = Repository(name=name, code=code, created_by_id=command.created_by_id, **roots)
    uow.session.add(repository)
    await uow.session.flush()
    return repository


async def update_repository(uow: UnitOfWork, command: UpdateRepository) -> Repository:
    repository = await get_one(uow.session, Repository, command.repository_id, for_update=True)
    changes = dict(command.changes)
    if changes.get("name") is not None:
        repository.name = _name(changes["name"])
    if changes.get("code") is not None:
        repository.code = _checked_code(changes["code"])
        await _check_unique_code(uow, repository.code, repository.id)
    for key, root in _roots(changes).items():
        setattr(repository, key, root)
    await uow.session.flush()
    return repository


async def delete_repository(uow: UnitOfWork, repository_id: int) -> None:
    session = uow.session
    repository = await get_one(session, Repository, repository_id, for_update=True)
    projects = list(
        await session.scalars(
            select(ProjectRepository.project_id).where(ProjectRepository.repository_id == repository_id)
        )
    )
    versions = int(
        await session.scalar(select(func.count()).where(Version.repository_id == repository_id)) or 0
    )
    if projects or versions:
        raise Conflict(
            f"repository {repository.code} is still used by {len(projects)} project(s) "
            f"and {versions} version(s)",
            referenced_by={"project_ids": projects[:20], "versions": versions},
        )
    await session.delete(repository)
    await session.flush()
