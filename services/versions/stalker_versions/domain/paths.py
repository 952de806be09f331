"""Repository roots on each operating system, the `$REPO<id>` / `$REPO<code>` variables, and turning
paths from one form into another. Paths always use forward slashes; backslashes are accepted on input."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from stalker_versions.domain.errors import Conflict, NotFound, UnsafePath, ValidationFailed

OperatingSystem = Literal["linux", "macos", "windows"]
OPERATING_SYSTEMS: tuple[OperatingSystem, ...] = get_args(OperatingSystem)

MAX_PATH_LENGTH = 1024
_DRIVE = re.compile(r"^[A-Za-z]:(/|$)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# `$REPO12/...`, `$REPOCR/...` or `${REPOCR}/...`, only at the start of a path.
_VARIABLE = re.compile(r"^\$(?:\{REPO(?P<braced>[A-Za-z0-9_]+)\}|REPO(?P<plain>[A-Za-z0-9_]+))(?=/|$)")
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"


def check_no_control(text: str, field: str) -> None:
    """A rendered path or name with a control character (NUL included) is refused, naming the field."""
    if _CONTROL.search(text):
        message = f"the rendered {field} {text!r} contains a control character (such as NUL)"
        raise UnsafePath(message, field=field, value=text)


@dataclass(frozen=True)
class RepositoryRoots:
    """A repository as the path rules see it: roots are normalized and end with `/`."""

    id: int
    code: str
    linux: str | None = None
    macos: str | None = None
    windows: str | None = None

    def root(self, os: OperatingSystem) -> str | None:
        root: str | None = getattr(self, os)
        return root

    def require_root(self, os: OperatingSystem) -> str:
        root = self.root(os)
        if root is None:
            raise Conflict(f"repository {self.code} (id {self.id}) has no {os} path", field="os")
        return root

    @property
    def variable(self) -> str:
        return id_variable(self.id)


def id_variable(repository_id: int) -> str:
    return f"$REPO{repository_id}"


def code_variable(code: str) -> str:
    return f"$REPO{code}"


def clean(path: str) -> str:
    """Forward slashes, no `.` segments or doubled slashes, no trailing slash (a leading `//` is kept)."""
    text = path.strip().replace("\\", "/")
    if _CONTROL.search(text):
        raise ValidationFailed("a path may not contain control characters", field="path")
    return posixpath.normpath(text) if text else ""


def normalize_root(raw: str, os: OperatingSystem) -> str:
    """An absolute root for `os`, with forward slashes and exactly one trailing slash."""
    field = f"{os}_path"
    text = clean(raw)
    if not text:
        raise ValidationFailed(f"{field} may not be empty", field=field)
    if "$" in text:
        raise ValidationFailed(f"{field} may not contain variables", field=field)
    if len(text) > MAX_PATH_LENGTH:
        raise ValidationFailed(f"{field} is longer than {MAX_PATH_LENGTH} characters", field=field)
    if os == "windows":
        if not (_DRIVE.match(text) or text.startswith("//")):
            raise ValidationFailed(
                f"{field} {raw!r} must start with a drive (M:/) or a share (//server/share)", field=field
            )
    elif not text.startswith("/"):
        raise ValidationFailed(f"{field} {raw!r} must be absolute (start with /)", field=field)
    return text if text.endswith("/") else text + "/"


def split_variable(path: str) -> tuple[str, str] | None:
    """(`12` or `CR`, the rest without its leading slash) when the path starts with a repository variable."""
    match = _VARIABLE.match(path)
    if match is None:
        return None
    key = match.group("braced") or match.group("plain")
    return key, path[match.end() :].lstrip("/")


def resolve_variable(key: str, repositories: Iterable[RepositoryRoots]) -> RepositoryRoots:
    """The repository a variable names: digits are an id (`$REPO12`), anything else a code (`$REPOCR`)."""
    for repository in repositories:
        if (key.isdigit() and repository.id == int(key)) or repository.code == key:
            return repository
    raise NotFound(f"no repository for the variable $REPO{key}", field="path")


def join(root: str, relative: str) -> str:
    """A root (ending with `/`) and a relative path; the root alone loses its trailing slash."""
    relative = relative.strip("/")
    return root + relative if relative else root.rstrip("/") or "/"


def expand(path: str, repositories: Iterable[RepositoryRoots], os: OperatingSystem) -> str:
    """The path with its leading repository variable replaced by that repository's root on `os`."""
    text = clean(path)
    found = split_variable(text)
    if found is None:
        return text
    key, rest = found
    return join(resolve_variable(key, repositories).require_root(os), rest)


def find_repository(path: str, repositories: Iterable[RepositoryRoots]) -> tuple[RepositoryRoots, str] | None:
    """The repository holding a path given in any operating system's form (or as a variable), and the
    path relative to its root. The longest matching root wins; Windows roots match case-insensitively."""
    text = clean(path)
    candidates = list(repositories)
    found = split_variable(text)
    if found is not None:
        key, rest = found
        return resolve_variable(key, candidates), rest
    best: tuple[RepositoryRoots, str, int] | None = None
    for repository in candidates:
        for os in OPERATING_SYSTEMS:
            root = repository.root(os)
            if root is None:
                continue
            relative = _relative_to(text, root, case_sensitive=os != "windows")
            if relative is not None and (best is None or len(root) > best[2]):
                best = (repository, relative, len(root))
    return (best[0], best[1]) if best else None


def to_portable(path: str, repositories: Iterable[RepositoryRoots]) -> tuple[str, RepositoryRoots] | None:
    """`$REPO<id>/relative` for a path inside a repository (from any OS or variable form), else None."""
    found = find_repository(path, repositories)
    if found is None:
        return None
    repository, relative = found
    portable = repository.variable + ("/" + relative if relative else "")
    return portable, repository


def _relative_to(path: str, root: str, *, case_sensitive: bool) -> str | None:
    subject, prefix = (path, root) if case_sensitive else (path.lower(), root.lower())
    if subject.startswith(prefix):
        return path[len(root) :]
    if subject == prefix.rstrip("/"):
        return ""
    return None


def expand_named(
    path: str, repositories: Iterable[RepositoryRoots], os: OperatingSystem
) -> tuple[str, RepositoryRoots | None]:
    """`expand`, with the repository the variable named (None for a path without a variable)."""
    known = list(repositories)
    found = split_variable(clean(path))
    return expand(path, known, os), resolve_variable(found[0], known) if found else None


def require_repository(path: str, repositories: Iterable[RepositoryRoots]) -> RepositoryRoots:
    found = find_repository(path, repositories)
    if found is None:
        raise NotFound(f"no repository holds {path!r}", field="path")
    return found[0]


def require_portable(path: str, repositories: Iterable[RepositoryRoots]) -> tuple[str, RepositoryRoots]:
    found = to_portable(path, repositories)
    if found is None:
        raise NotFound(f"no repository holds {path!r}", field="path")
    return found
