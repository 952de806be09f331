"""Who may do what: the studio's roles, the operations on a project, and the one matrix between them.

A user is a studio admin (member of the `admins` group) or not. Everything else is per project: a member
of a project has one project role there. Non-members see nothing of a project: every lookup of its rows
answers 404, as if it did not exist, so ids are not confirmed (see `scope.py`). A member who may see a
project but not do an operation on it gets 403 naming the role and the roles that may.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from stalker_shared.auth import Principal
from stalker_shared.errors import Forbidden, NotFound


class ProjectRole(StrEnum):
    PRODUCER = "producer"  # producer or coordinator: runs the project
    LEAD = "lead"  # supervisor or lead: runs the work
    ARTIST = "artist"  # does the work
    VIEWER = "viewer"  # client or viewer: reads only


# A member whose role names no access level (a role made before roles carried one, or none) is an artist.
DEFAULT_ROLE = ProjectRole.ARTIST


class Operation(StrEnum):
    PROJECT_READ = "project.read"
    PROJECT_EDIT = "project.edit"
    PROJECT_DELETE = "project.delete"
    MEMBERS_MANAGE = "project.members.manage"
    TASK_WRITE = "task.write"  # create, edit, delete tasks, shots, assets, sequences, scenes
    SCHEDULE = "project.schedule"
    STORAGE_SET = "project.storage.set"
    VERSION_CREATE = "version.create"
    VERSION_EDIT_OWN = "version.edit.own"
    VERSION_EDIT_ANY = "version.edit.any"
    NOTE_WRITE = "note.write"  # add notes; edit and delete your own
    NOTE_EDIT_ANY = "note.edit.any"  # edit and delete anyone's notes
    TIME_LOG_OWN = "time_log.write.own"  # log, edit, delete one's own time
    TIME_LOG_ANY = "time_log.write.any"  # ... anyone's in the project
    REVIEW_REQUEST = "review.request"  # on a task one is a resource of
    REVIEW_REQUEST_ANY = "review.request.any"  # on any task of the project
    REVIEW_DECIDE = "review.decide"  # approve or send back any review (a review's reviewer always may)
    TASK_STATUS = "task.status"  # hold, stop, resume, ask a revision of a task


_ALL = frozenset(ProjectRole)
_WORKERS = frozenset({ProjectRole.PRODUCER, ProjectRole.LEAD, ProjectRole.ARTIST})
_RUNNERS = frozenset({ProjectRole.PRODUCER, ProjectRole.LEAD})
_PRODUCERS = frozenset({ProjectRole.PRODUCER})

# The authorization matrix: operation -> the project roles allowed it. Admins may do everything.
PERMISSIONS: Mapping[Operation, frozenset[ProjectRole]] = {
    Operation.PROJECT_READ: _ALL,
    Operation.PROJECT_EDIT: _PRODUCERS,
    Operation.PROJECT_DELETE: _PRODUCERS,
    Operation.MEMBERS_MANAGE: _PRODUCERS,
    Operation.TASK_WRITE: _RUNNERS,
    Operation.SCHEDULE: _PRODUCERS,
    Operation.STORAGE_SET: _PRODUCERS,
    Operation.VERSION_CREATE: _WORKERS,
    Operation.VERSION_EDIT_OWN: _WORKERS,
    Operation.VERSION_EDIT_ANY: _RUNNERS,
    Operation.NOTE_WRITE: _ALL,  # viewers too: clients give notes
    Operation.NOTE_EDIT_ANY: _PRODUCERS,
    Operation.TIME_LOG_OWN: _WORKERS,
    Operation.TIME_LOG_ANY: _RUNNERS,
    Operation.REVIEW_REQUEST: _WORKERS,
    Operation.REVIEW_REQUEST_ANY: _RUNNERS,
    Operation.REVIEW_DECIDE: _RUNNERS,
    Operation.TASK_STATUS: _RUNNERS,
}

# Operations that are not about one project: only admins, or (REFERENCE_EDIT) producers of any project.
STUDIO_ADMIN = "studio.admin"
REFERENCE_EDIT = "studio.reference.edit"


def role_of(value: str | None) -> ProjectRole:
    """A stored access level, read leniently: unknown or empty means the default role."""
    try:
        return ProjectRole(value) if value else DEFAULT_ROLE
    except ValueError:
        return DEFAULT_ROLE


@dataclass(frozen=True)
class Access:
    """What one caller may see and do, read at the start of each request from the service's own data."""

    user_id: int
    login: str
    is_admin: bool
    roles: Mapping[int, ProjectRole] = field(default_factory=dict)  # project id -> the caller's role

    @classmethod
    def system(cls) -> Access:
        """Work not done for a caller (messages, start-up): sees and may do everything."""
        return cls(0, "system", True)

    @property
    def project_ids(self) -> frozenset[int] | None:
        """The projects this caller may see; None for all of them."""
        return None if self.is_admin else frozenset(self.roles)

    def sees(self, project_id: int) -> bool:
        return self.is_admin or project_id in self.roles

    def may(self, operation: Operation, project_id: int) -> bool:
        if self.is_admin:
            return True
        role = self.roles.get(project_id)
        return role is not None and role in PERMISSIONS[operation]

    def require(self, operation: Operation, project_id: int, what: str | None = None) -> None:
        """NotFound for a project the caller cannot see, Forbidden for a role without the operation."""
        if self.may(operation, project_id):
            return
        if not self.sees(project_id):
            raise NotFound(f"no {what or 'project with id ' + str(project_id)}")
        allowed = sorted(PERMISSIONS[operation])
        raise Forbidden(
            f"{operation.value} in project {project_id} needs the role {' or '.join(allowed)} "
            f"(or admin); you are {self.roles[project_id].value}",
            operation=operation.value,
            role=self.roles[project_id].value,
            allowed_roles=allowed,
        )

    def require_all(self, operation: Operation, project_ids: Iterable[int]) -> None:
        for project_id in sorted(set(project_ids)):
            self.require(operation, project_id)

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("this operation is for admins only", operation=STUDIO_ADMIN)

    def require_reference_editor(self) -> None:
        """Studio reference data (types, image formats): admins, and producers of any project."""
        if not self.is_admin and ProjectRole.PRODUCER not in self.roles.values():
            raise Forbidden("this operation is for admins and producers only", operation=REFERENCE_EDIT)


async def access_from_token(_: object, claims: Principal) -> Access:
    """For a service that keeps no users: the token's word, and no project (no project data either)."""
    return Access(claims.user_id, claims.login, claims.is_admin)
