"""Every model of the versions service's own database, in one import for Alembic and the handlers."""

from stalker_versions.db.base import MESSAGING, Audited, Base
from stalker_versions.db.catalog import ProjectMember, ProjectRef, TaskRef, UserAccount
from stalker_versions.db.revision import PlanRevision
from stalker_versions.db.storage import (
    FilenameTemplate,
    ProjectRepository,
    ProjectStorage,
    Repository,
    Structure,
    structure_template,
)
from stalker_versions.db.versions import Version, VersionCounter, version_input, version_output

__all__ = [
    "MESSAGING",
    "Audited",
    "Base",
    "FilenameTemplate",
    "PlanRevision",
    "ProjectMember",
    "ProjectRef",
    "ProjectRepository",
    "ProjectStorage",
    "Repository",
    "Structure",
    "TaskRef",
    "UserAccount",
    "Version",
    "VersionCounter",
    "structure_template",
    "version_input",
    "version_output",
]
