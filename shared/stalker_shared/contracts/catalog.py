"""Events the catalog publishes about the studio and its production tree."""

from __future__ import annotations

from pydantic import Field

from stalker_shared.contracts.envelope import Contract


class ProjectState(Contract):
    """The full state of a project after a change."""

    TYPE = "catalog.project.state"
    VERSION = 1

    id: int
    name: str
    code: str
    revision: int = Field(ge=1, description="Grows with every change; consumers ignore stale states")


class ProjectCreated(ProjectState):
    TYPE = "catalog.project.created"
    VERSION = 1


class ProjectUpdated(ProjectState):
    TYPE = "catalog.project.updated"
    VERSION = 1


class ProjectDeleted(Contract):
    TYPE = "catalog.project.deleted"
    VERSION = 1

    id: int
    revision: int = Field(ge=1)


CATALOG_CONTRACTS: tuple[type[Contract], ...] = (ProjectCreated, ProjectUpdated, ProjectDeleted)
