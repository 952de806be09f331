"""Project scope applied inside every ORM query of a request: rows of projects the caller may not see
are not there, so a lookup answers 404 and a list leaves them out, without a handler having to remember.

A service names its project-scoped models and how each finds its project (`ScopeRules`); a request's
session carries the caller's visible projects in `session.info`; one `do_orm_execute` hook adds the
criteria to every ORM SELECT, UPDATE and DELETE (relationship and column loads inherit them). Work done
for no caller (messages, start-up) has no scope. A query that must see every project (a uniqueness check
that would otherwise end in an integrity error) says so with `.execution_options(unscoped=True)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

ScopeRules = Mapping[type[Any], Callable[[tuple[int, ...]], ColumnElement[bool]]]

_SCOPE_KEY = "stalker.project_scope"
_PROJECTS_KEY = "stalker.project_ids"
UNSCOPED = "unscoped"


def scope_session(session: Any, rules: ScopeRules, project_ids: frozenset[int] | None) -> None:
    """Limit this session's ORM queries to these projects (None: no limit)."""
    sync_session = getattr(session, "sync_session", session)
    if project_ids is None or not rules:
        sync_session.info.pop(_SCOPE_KEY, None)
        sync_session.info.pop(_PROJECTS_KEY, None)
        return
    sync_session.info[_PROJECTS_KEY] = project_ids
    ids = tuple(sorted(project_ids))
    sync_session.info[_SCOPE_KEY] = tuple(
        with_loader_criteria(model, criterion(ids), include_aliases=True)
        for model, criterion in rules.items()
    )


def visible_projects(session: Any) -> frozenset[int] | None:
    """The projects this session is limited to (None: all), for statements run on its connection
    directly, which no ORM hook sees: such a statement must filter by it itself."""
    sync_session = getattr(session, "sync_session", session)
    projects: frozenset[int] | None = sync_session.info.get(_PROJECTS_KEY)
    return projects


@contextmanager
def without_scope(session: Any) -> Iterator[None]:
    """Work the system does inside a caller's transaction (starting the studio's next queued run, which
    may be any project's): every project, for the time of the block."""
    info = getattr(session, "sync_session", session).info
    saved = {key: info.pop(key) for key in (_SCOPE_KEY, _PROJECTS_KEY) if key in info}
    try:
        yield
    finally:
        info.update(saved)


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    criteria = state.session.info.get(_SCOPE_KEY)
    if not criteria or state.execution_options.get(UNSCOPED, False):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the top-level statement's criteria propagate to these loads
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*criteria)
