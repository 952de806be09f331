"""A structure's custom template as folders: one folder per line, relative to the project's folder
(`<repository root><project code>/`) or starting with a repository variable."""

from __future__ import annotations

from collections.abc import Iterable

from stalker_versions.domain.errors import ValidationFailed
from stalker_versions.domain.paths import (
    OperatingSystem,
    RepositoryRoots,
    clean,
    expand,
    join,
    split_variable,
)
from stalker_versions.domain.version_paths import check_rendered_path

MAX_DIRECTORIES = 1_000


def directory_lines(rendered: str) -> list[str]:
    """The folders a rendered custom template lists: blank lines and `#` comments skipped, duplicates
    dropped; an absolute path or one climbing out with `..` is refused."""
    lines: list[str] = []
    for number, raw in enumerate(rendered.splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        line = clean(text)
        if split_variable(line) is None and (line.startswith("/") or (len(line) > 1 and line[1] == ":")):
            raise ValidationFailed(
                f"line {number}: {text!r} is absolute; write it relative to the project folder or "
                "start it with a repository variable ($REPO<id>/...)",
                field="custom_template",
                line=number,
            )
        try:
            check_rendered_path(line)
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"line {number}: {exc.message}", field="custom_template", line=number
            ) from None
        if line not in lines:
            lines.append(line)
    if len(lines) > MAX_DIRECTORIES:
        raise ValidationFailed(f"a structure may list at most {MAX_DIRECTORIES} folders", "custom_template")
    return lines


def project_root(repository: RepositoryRoots, project_code: str, os: OperatingSystem) -> str:
    return join(repository.require_root(os), project_code)


def absolute_directories(
    lines: Iterable[str], root: str, repositories: Iterable[RepositoryRoots], os: OperatingSystem
) -> list[str]:
    """Each folder on `os`: variable lines expanded, others under the project's folder `root`."""
    known = list(repositories)
    return [
        expand(line, known, os) if split_variable(line) else join(root.rstrip("/") + "/", line)
        for line in lines
    ]
