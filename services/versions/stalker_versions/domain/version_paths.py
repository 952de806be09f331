"""Where a version lives: its rendered path and filename checked and placed in a repository, and its
absolute paths on each operating system."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from stalker_versions.domain.errors import Conflict, DomainError, UnsafePath, ValidationFailed
from stalker_versions.domain.names import is_reserved
from stalker_versions.domain.paths import (
    MAX_PATH_LENGTH,
    OperatingSystem,
    RepositoryRoots,
    check_no_control,
    clean,
    join,
    resolve_variable,
    split_variable,
    to_portable,
)

MAX_FILENAME_LENGTH = 255
# Characters Windows refuses in a file or folder name; a portable path avoids them on every system.
_UNPORTABLE = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:(/|$))")
EXTENSION_PATTERN = r"^\.?[A-Za-z0-9][A-Za-z0-9_]{0,15}$"


@dataclass(frozen=True)
class Placement:
    """A version's stored path (a variable form or relative to `repository`) and its repository."""

    path: str
    repository: RepositoryRoots


def check_rendered_path(raw: str) -> str:
    """The rendered path cleaned: forward slashes, no `..` climbing, something left."""
    text = clean(raw)
    if not text or text == ".":
        raise ValidationFailed("the path template rendered an empty path", field="path")
    if len(text) > MAX_PATH_LENGTH:
        raise ValidationFailed(f"the rendered path is longer than {MAX_PATH_LENGTH} characters", field="path")
    if ".." in text.split("/"):
        raise ValidationFailed(f"the rendered path {text!r} climbs out with '..'", field="path")
    return text


def check_rendered_filename(raw: str) -> str:
    """A file name valid on every operating system; a separator, `..`, a control character, a reserved
    device name or a character Windows refuses is an UnsafePath."""
    name = raw.strip()
    if not name:
        raise ValidationFailed("the filename template rendered an empty name", field="filename")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise UnsafePath(
            f"the rendered filename {name!r} contains a slash or is '.' or '..'", field="filename", value=name
        )
    check_no_control(name, "filename")
    if _UNPORTABLE.search(name):
        raise UnsafePath(
            f'the rendered filename {name!r} contains a character not allowed on Windows (<>:"|?*)',
            field="filename",
            value=name,
        )
    if is_reserved(name):
        message = f"the rendered filename {name!r} is a name Windows reserves for a device"
        raise UnsafePath(message, field="filename", value=name)
    if len(name) > MAX_FILENAME_LENGTH:
        raise ValidationFailed(
            f"the rendered filename is longer than {MAX_FILENAME_LENGTH} characters", field="filename"
        )
    return name


def normalize_extension(extension: str | None) -> str:
    """`ma` or `.ma` -> `.ma`; none -> ``."""
    if not extension:
        return ""
    return extension if extension.startswith(".") else "." + extension


def place(path: str, repositories: Iterable[RepositoryRoots], default: RepositoryRoots) -> Placement:
    """A path starting with a variable stays as rendered; an absolute path from any operating system
    becomes `$REPO<id>/...`; a relative path is relative to the project's repository (`default`)."""
    candidates = list(repositories)
    found = split_variable(path)
    if found is not None:
        placement = Placement(path, resolve_variable(found[0], candidates))
        relative = found[1]
    elif _ABSOLUTE.match(path) or path.startswith("//"):
        portable = to_portable(path, candidates)
        if portable is None:
            raise Conflict(f"the rendered path {path!r} is outside every repository", field="path")
        placement = Placement(portable[0], portable[1])
        relative = split_variable(portable[0])[1]  # type: ignore[index]
    else:
        placement, relative = Placement(path, default), path
    bad = [segment for segment in relative.split("/") if _UNPORTABLE.search(segment)]
    if bad:
        raise ValidationFailed(
            f'the rendered path has a folder name not allowed on Windows: {bad[0]!r} (<>:"|?*)', field="path"
        )
    return placement


def full_path(path: str, filename: str, extension: str) -> str:
    return f"{path}/{filename}{extension}"


def absolute(path: str, repository: RepositoryRoots, os: OperatingSystem) -> str:
    """A stored path (variable form or relative to `repository`) on `os`."""
    found = split_variable(path)
    return join(repository.require_root(os), found[1] if found else path)


def absolute_or_none(path: str, repository: RepositoryRoots | None, os: OperatingSystem) -> str | None:
    """Like `absolute`, or None when the repository is gone or has no root on `os`."""
    if repository is None:
        return None
    try:
        return absolute(path, repository, os)
    except DomainError:
        return None
