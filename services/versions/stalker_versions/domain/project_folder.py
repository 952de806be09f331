"""A rendered version path kept inside its project's folder: `<root of one of the project's
repositories>/<project code>/`.

The path is normalised the way a file system would read it (backslashes are separators, `.` and `..`
segments are resolved) and only then checked, so neither a name like `../P2/T2` nor a template's own
`..`, absolute path, drive letter or repository variable can put a version in another project's (or no
project's) folder. A repository variable is split off before `..` is resolved: `$REPO1/..` climbs out
of the repository instead of eating the variable. Every folder name is also checked for what Windows
refuses (reserved device names, `<>:"|?*`, a trailing dot or space), and control characters (NUL) are
refused everywhere. Each refusal is an UnsafePath naming the value.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from stalker_versions.domain.errors import UnsafePath, ValidationFailed
from stalker_versions.domain.names import is_reserved
from stalker_versions.domain.paths import (
    MAX_PATH_LENGTH,
    RepositoryRoots,
    check_no_control,
    resolve_variable,
    split_variable,
    to_portable,
)
from stalker_versions.domain.version_paths import Placement

_UNPORTABLE = re.compile(r'[<>:"|?*]')
_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:)")  # `/x`, `//server/share`, `C:/x`, and drive-relative `C:x`


@dataclass(frozen=True)
class ProjectFolder:
    """The project a version belongs to: its code (the folder under a repository's root) and the ids
    of its repositories."""

    code: str
    repository_ids: tuple[int, ...]


def check_segment(segment: str, field: str, value: str) -> None:
    """One file or folder name usable on every operating system."""
    if _UNPORTABLE.search(segment):
        raise UnsafePath(
            f'the rendered {field} has a name not allowed on Windows: {segment!r} (<>:"|?*)',
            field=field,
            value=value,
        )
    if is_reserved(segment):
        message = f"the rendered {field} has a name Windows reserves for a device: {segment!r}"
        raise UnsafePath(message, field=field, value=value)
    if segment.endswith((".", " ")):
        message = f"the rendered {field} has a name ending with a dot or a space: {segment!r}"
        raise UnsafePath(message, field=field, value=value)


def normalize_relative(rest: str, value: str) -> str:
    """A path relative to a repository's root with `.` and `..` resolved; climbing above it is refused."""
    relative = posixpath.normpath(rest.strip("/")) if rest.strip("/") else ""
    if relative == ".":
        return ""
    if relative == ".." or relative.startswith("../"):
        raise UnsafePath(
            f"the rendered path {value!r} climbs out of its repository with '..'", field="path", value=value
        )
    return relative


def split_rendered(text: str) -> tuple[str | None, str | None, str]:
    """(the repository variable as written, its key, the rest), or (None, None, text) without one."""
    found = split_variable(text)
    if found is None:
        return None, None, text
    key, rest = found
    return text[: len(text) - len(rest)].rstrip("/"), key, rest


def check_template_path(raw: str) -> None:
    """What a path template's dry render can be checked for without a project (when it is saved):
    control characters, `..` climbing out of the repository, and folder names."""
    value = raw.strip()
    check_no_control(value, "path")
    text = value.replace("\\", "/")
    if not text:
        raise ValidationFailed("the path template rendered an empty path", field="path")
    variable, _, rest = split_rendered(text)
    if variable is None and _ABSOLUTE.match(text):
        return  # placed in a repository (or refused) when a version is made
    relative = normalize_relative(rest, value)
    for segment in relative.split("/") if relative else []:
        check_segment(segment, "path", value)
    if len(text) > MAX_PATH_LENGTH:
        raise ValidationFailed(f"the rendered path is longer than {MAX_PATH_LENGTH} characters", field="path")


def contain(
    raw: str, repositories: Iterable[RepositoryRoots], default: RepositoryRoots, project: ProjectFolder
) -> Placement:
    """Where a rendered path puts a version, once it is known to lie inside the project's folder."""
    known = list(repositories)
    value = raw.strip()
    check_no_control(value, "path")
    text = value.replace("\\", "/")
    if not text:
        raise ValidationFailed("the path template rendered an empty path", field="path")
    variable, key, rest = split_rendered(text)
    if key is not None:
        repository = resolve_variable(key, known)
    elif _ABSOLUTE.match(text):
        portable = to_portable(posixpath.normpath(text), known)
        if portable is None:
            raise UnsafePath(
                f"the rendered path {value!r} is outside every repository", field="path", value=value
            )
        variable, _, rest = split_rendered(portable[0])
        repository = portable[1]
    else:
        repository = default
    relative = normalize_relative(rest, value)
    _check_inside(relative, repository, project, value)
    path = f"{variable}/{relative}" if variable else relative
    if len(path) > MAX_PATH_LENGTH:
        raise ValidationFailed(f"the rendered path is longer than {MAX_PATH_LENGTH} characters", field="path")
    return Placement(path.rstrip("/") if variable else path, repository)


def _check_inside(relative: str, repository: RepositoryRoots, project: ProjectFolder, value: str) -> None:
    folder = check_project_code(project.code)
    if repository.id not in project.repository_ids:
        raise UnsafePath(
            f"the rendered path {value!r} is in repository {repository.code} (id {repository.id}), which is "
            "not one of the project's",
            field="path",
            value=value,
        )
    parts = relative.split("/") if relative else []
    if parts[: len(folder)] != folder:
        shown = "/".join(parts) or "the repository's root"
        raise UnsafePath(
            f"the rendered path {value!r} leaves the project's folder {'/'.join(folder)!r} "
            f"(it resolves to {shown!r} in repository {repository.code})",
            field="path",
            value=value,
            resolved=relative,
        )
    for segment in parts[len(folder) :]:
        check_segment(segment, "path", value)


def check_project_code(code: str) -> list[str]:
    """The project's folder under a repository's root, as segments; a code that is no safe folder name
    (empty, `..`, a control character, a reserved device name) cannot hold versions."""
    parts = code.replace("\\", "/").split("/")
    check_no_control(code, "path")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePath(
                f"the project code {code!r} cannot be used as a folder name", field="path", value=code
            )
        check_segment(part, "path", code)
    return parts
