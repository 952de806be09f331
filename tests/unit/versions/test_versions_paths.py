"""Repository roots, the $REPO variables, and conversions between the operating systems' forms."""

from __future__ import annotations

import pytest

from stalker_versions.domain.directories import absolute_directories, directory_lines
from stalker_versions.domain.errors import Conflict, NotFound, ValidationFailed
from stalker_versions.domain.paths import (
    RepositoryRoots,
    expand,
    expand_named,
    find_repository,
    normalize_root,
    to_portable,
)
from stalker_versions.domain.version_paths import absolute, place

CR = RepositoryRoots(28, "CR", "/mnt/M/commercials/", "/Volumes/M/commercials/", "M:/commercials/")
MOVIES = RepositoryRoots(29, "MOV", "/mnt/M/commercials/movies/", None, "//server/movies/")
REPOSITORIES = [CR, MOVIES]


@pytest.mark.parametrize(
    ("raw", "os", "root"),
    [
        ("/mnt/M/commercials", "linux", "/mnt/M/commercials/"),
        ("/mnt/M/commercials/", "linux", "/mnt/M/commercials/"),
        ("/mnt//M/./x/../commercials", "linux", "/mnt/M/commercials/"),
        ("/Volumes/M/commercials", "macos", "/Volumes/M/commercials/"),
        ("M:\\commercials", "windows", "M:/commercials/"),
        ("M:/commercials/", "windows", "M:/commercials/"),
        ("M:", "windows", "M:/"),
        ("\\\\server\\share", "windows", "//server/share/"),
        ("/", "linux", "/"),
    ],
)
def test_roots_use_forward_slashes_and_end_with_one(raw: str, os: str, root: str) -> None:
    assert normalize_root(raw, os) == root  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "os"),
    [
        ("mnt/M", "linux"),
        ("", "macos"),
        ("commercials", "windows"),
        ("/c/x", "windows"),
        ("/a/$REPO1", "linux"),
    ],
)
def test_relative_empty_or_variable_roots_are_refused(raw: str, os: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        normalize_root(raw, os)  # type: ignore[arg-type]
    assert refused.value.field == f"{os}_path"


@pytest.mark.parametrize(
    ("path", "os", "expanded"),
    [
        ("$REPO28/FC/SH001/comp", "linux", "/mnt/M/commercials/FC/SH001/comp"),
        ("$REPOCR/FC/SH001/comp", "macos", "/Volumes/M/commercials/FC/SH001/comp"),
        ("${REPOCR}/FC/a.nk", "windows", "M:/commercials/FC/a.nk"),
        ("$REPO28\\FC\\a.nk", "windows", "M:/commercials/FC/a.nk"),
        ("$REPO28", "linux", "/mnt/M/commercials"),
        ("/srv/elsewhere/a.nk", "linux", "/srv/elsewhere/a.nk"),
    ],
)
def test_variables_expand_for_each_os(path: str, os: str, expanded: str) -> None:
    assert expand(path, REPOSITORIES, os) == expanded  # type: ignore[arg-type]


def test_expanding_an_unknown_variable_or_a_missing_root_fails_clearly() -> None:
    with pytest.raises(NotFound):
        expand("$REPO99/x", REPOSITORIES, "linux")
    with pytest.raises(NotFound):
        expand("$REPOXX/x", REPOSITORIES, "linux")
    with pytest.raises(Conflict, match="no macos path"):
        expand("$REPOMOV/x", REPOSITORIES, "macos")
    assert expand_named("$REPOCR/x", REPOSITORIES, "linux") == ("/mnt/M/commercials/x", CR)


@pytest.mark.parametrize(
    ("path", "portable", "repository"),
    [
        ("/mnt/M/commercials/FC/SH001/comp/a.nk", "$REPO28/FC/SH001/comp/a.nk", 28),
        ("M:/commercials/FC/SH001/comp/a.nk", "$REPO28/FC/SH001/comp/a.nk", 28),
        ("m:\\COMMERCIALS\\FC\\a.nk", "$REPO28/FC/a.nk", 28),  # Windows paths ignore case
        ("/Volumes/M/commercials/FC/a.nk", "$REPO28/FC/a.nk", 28),
        ("$REPOCR/FC/a.nk", "$REPO28/FC/a.nk", 28),
        ("/mnt/M/commercials", "$REPO28", 28),
        ("/mnt/M/commercials/movies/trailer.mov", "$REPO29/trailer.mov", 29),  # the longest root wins
        ("\\\\server\\movies\\trailer.mov", "$REPO29/trailer.mov", 29),
    ],
)
def test_absolute_paths_from_any_os_become_portable(path: str, portable: str, repository: int) -> None:
    assert to_portable(path, REPOSITORIES) == (portable, next(r for r in REPOSITORIES if r.id == repository))


@pytest.mark.parametrize(
    "path", ["/other/place/a.nk", "/mnt/M/commercialsX/a.nk", "/MNT/M/commercials/a", "N:/x"]
)
def test_paths_outside_every_repository_have_none(path: str) -> None:
    assert to_portable(path, REPOSITORIES) is None
    assert find_repository(path, REPOSITORIES) is None


def test_a_rendered_path_is_placed_in_a_repository() -> None:
    assert place("$REPOCR/FC/x", REPOSITORIES, MOVIES).repository == CR
    assert place("/mnt/M/commercials/FC/x", REPOSITORIES, MOVIES).path == "$REPO28/FC/x"
    relative = place("FC/x", REPOSITORIES, MOVIES)
    assert (relative.path, relative.repository) == ("FC/x", MOVIES)
    assert absolute(relative.path, MOVIES, "windows") == "//server/movies/FC/x"
    with pytest.raises(Conflict, match="outside every repository"):
        place("/srv/x", REPOSITORIES, CR)
    with pytest.raises(ValidationFailed, match="not allowed on Windows"):
        place("$REPO28/FC/what?", REPOSITORIES, CR)


def test_a_custom_template_lists_folders_under_the_project() -> None:
    lines = directory_lines("\nTemp\nReferences\\Movies\n  # a comment\nTemp\n$REPO29/FC_trailers\n")
    assert lines == ["Temp", "References/Movies", "$REPO29/FC_trailers"]
    assert absolute_directories(lines, "M:/commercials/FC", REPOSITORIES, "windows") == [
        "M:/commercials/FC/Temp",
        "M:/commercials/FC/References/Movies",
        "//server/movies/FC_trailers",
    ]
    for bad in ("/etc", "C:/Windows", "../up"):
        with pytest.raises(ValidationFailed):
            directory_lines(bad)
