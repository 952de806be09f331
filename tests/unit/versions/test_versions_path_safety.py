"""Rendered version paths stay inside their project's folder (issue 13, item 8): names are made
path-safe as the reference's nice_name makes them, and the rendered path is checked after it is
normalised (`..`, absolute paths, backslashes, drive letters, NUL, reserved Windows names)."""

from __future__ import annotations

import pytest

from stalker_versions.domain.context import TaskNode, project_view, repository_view, version_context
from stalker_versions.domain.errors import UnsafePath, ValidationFailed
from stalker_versions.domain.names import is_reserved, nice_name, path_nice_name, version_nice_name
from stalker_versions.domain.paths import RepositoryRoots
from stalker_versions.domain.project_folder import ProjectFolder, check_template_path, contain
from stalker_versions.domain.version_paths import check_rendered_filename
from stalker_versions.templates import compile_template, render

CR = RepositoryRoots(28, "CR", "/mnt/M/commercials/", "/Volumes/M/commercials/", "M:/commercials/")
MOVIES = RepositoryRoots(29, "MOV", "/mnt/movies/", None, "//server/movies/")
REPOSITORIES = [CR, MOVIES]
P1 = ProjectFolder("P1", (28,))
TUTORIAL_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
RAW_NAME_PATH = "{{project.code}}/{{task.name}}"


def rendered_path(source: str, task_name: str) -> str:
    project = project_view(1, "Project One", "P1", [repository_view(CR, "Commercials")])
    task = TaskNode(2, 1, None, "task", task_name)
    return render(compile_template(source), version_context(project, [task], {}, 1, "Main"))


@pytest.mark.parametrize(
    ("name", "nice"),
    [
        ("../P2/T2", "P2T2"),  # what the reference's nice_name makes of it: nothing to climb with
        ("..\\P2\\T2", "P2T2"),
        ("C:/Windows", "CWindows"),
        ("a\x00b", "ab"),
        ("  Fancy   Commercial  ", "Fancy_Commercial"),
        ("Hi-Res (final)!", "Hi_Res_final"),
        ("Test@Home #1", "Test@Home_1"),
    ],
)
def test_nice_names_are_the_references_and_carry_no_separator(name: str, nice: str) -> None:
    assert nice_name(name) == nice == path_nice_name(name)


@pytest.mark.parametrize(
    ("name", "safe"),
    [("CON", "CON_"), ("nul", "nul_"), ("Com1", "Com1_"), ("LPT9", "LPT9_"), ("aux!", "aux_")],
)
def test_a_reserved_windows_device_name_gets_a_trailing_underscore(name: str, safe: str) -> None:
    assert path_nice_name(name) == safe
    assert version_nice_name([("shot", name)], "") == safe  # joined with an empty take: still safe


@pytest.mark.parametrize("name", ["COM10", "Console", "CONTROL", "NULL", "LPT", "Aux1"])
def test_names_that_only_look_reserved_are_kept(name: str) -> None:
    assert not is_reserved(name) and path_nice_name(name) == name


def test_the_tutorial_template_keeps_a_hostile_task_name_inside_the_project() -> None:
    assert rendered_path(TUTORIAL_PATH, "../P2/T2") == "$REPO28/P1/P2T2/"
    assert rendered_path(TUTORIAL_PATH, "CON") == "$REPO28/P1/CON_/"
    placement = contain(rendered_path(TUTORIAL_PATH, "../P2/T2"), REPOSITORIES, CR, P1)
    assert (placement.path, placement.repository) == ("$REPO28/P1/P2T2", CR)


def test_a_raw_name_that_climbs_into_another_project_is_refused() -> None:
    path = rendered_path(RAW_NAME_PATH, "../P2/T2")
    assert path == "P1/../P2/T2"
    with pytest.raises(UnsafePath) as refused:
        contain(path, REPOSITORIES, CR, P1)
    assert "leaves the project's folder 'P1'" in refused.value.message
    assert refused.value.extensions == {"value": "P1/../P2/T2", "resolved": "P2/T2"}
    assert refused.value.field == "path" and refused.value.http_status == 422


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("P1/../P2/T2", "leaves the project's folder"),
        ("P1\\..\\P2\\T2", "leaves the project's folder"),  # a Windows path: backslashes are separators
        ("SH001/comp", "leaves the project's folder"),  # relative to the repository, not under P1
        ("$REPO28/P2/T2", "leaves the project's folder"),
        ("$REPOCR/P1/../../etc", "climbs out of its repository"),
        ("$REPO28/../P1/x", "climbs out of its repository"),  # `..` cannot eat the variable
        ("../../etc/passwd", "climbs out of its repository"),
        ("/mnt/M/commercials/P2/T2", "leaves the project's folder"),  # absolute, in the right repository
        ("/mnt/M/commercials/P1/../P2", "leaves the project's folder"),
        ("M:\\commercials\\P2\\T2", "leaves the project's folder"),  # drive letter, backslashes
        ("/etc/passwd", "outside every repository"),
        ("C:/Windows/System32", "outside every repository"),
        ("C:P1/x", "outside every repository"),  # drive-relative
        ("//evil/share/P1", "outside every repository"),
        ("$REPO29/P1/x", "not one of the project's"),  # a repository the project does not use
        ("/mnt/movies/P1/x", "not one of the project's"),
        ("P1/a\x00b", "control character"),
        ("P1/x\n/y", "control character"),
        ("P1/CON/x", "reserves for a device"),
        ("P1/nul.txt", "reserves for a device"),
        ("P1/x./y", "ending with a dot or a space"),
        ("P1/what?", "not allowed on Windows"),
    ],
)
def test_rendered_paths_outside_the_project_folder_are_refused(path: str, reason: str) -> None:
    with pytest.raises(UnsafePath) as refused:
        contain(path, REPOSITORIES, CR, P1)
    assert reason in refused.value.message
    assert refused.value.extensions["value"] == path.strip()


@pytest.mark.parametrize(
    ("path", "stored", "repository"),
    [
        ("$REPO28/P1/SH001/comp/", "$REPO28/P1/SH001/comp", CR),
        ("$REPOCR/P1/x", "$REPOCR/P1/x", CR),
        ("${REPOCR}/P1/x", "${REPOCR}/P1/x", CR),
        ("P1/a/../b", "P1/b", CR),  # `..` that stays inside is resolved
        ("P1/./a//b", "P1/a/b", CR),
        ("P1", "P1", CR),  # the project's folder itself
        ("/mnt/M/commercials/P1/SH001", "$REPO28/P1/SH001", CR),
        ("M:\\commercials\\P1\\SH001", "$REPO28/P1/SH001", CR),
        ("m:/COMMERCIALS/P1", "$REPO28/P1", CR),  # Windows roots ignore case
    ],
)
def test_paths_inside_the_project_folder_are_placed(
    path: str, stored: str, repository: RepositoryRoots
) -> None:
    placement = contain(path, REPOSITORIES, CR, P1)
    assert (placement.path, placement.repository) == (stored, repository)


def test_a_second_repository_of_the_project_holds_its_folder_too() -> None:
    both = ProjectFolder("P1", (28, 29))
    assert contain("$REPO29/P1/x", REPOSITORIES, CR, both).repository == MOVIES


@pytest.mark.parametrize("code", ["..", "../P2", "P1/../P2", "", "CON", "a\x00"])
def test_a_project_code_that_is_no_safe_folder_holds_no_version(code: str) -> None:
    with pytest.raises(UnsafePath):
        contain(f"{code}/x", REPOSITORIES, CR, ProjectFolder(code, (28,)))


def test_an_empty_path_is_not_a_safety_matter() -> None:
    with pytest.raises(ValidationFailed) as refused:
        contain("  ", REPOSITORIES, CR, P1)
    assert not isinstance(refused.value, UnsafePath)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../P2/T2_v001", "contains a slash"),
        ("..\\P2\\T2_v001", "contains a slash"),
        ("..", "contains a slash or is '.' or '..'"),
        ("a\x00b", "control character"),
        ("CON", "reserves for a device"),
        ("con.ma", "reserves for a device"),
        ("C:x", "not allowed on Windows"),
    ],
)
def test_unsafe_filenames_are_refused(name: str, reason: str) -> None:
    with pytest.raises(UnsafePath) as refused:
        check_rendered_filename(name)
    assert reason in refused.value.message and refused.value.field == "filename"


@pytest.mark.parametrize(
    "path", ["$REPO1/../../etc", "../x", "FC/a\x00", "FC/CON/x", "x/..\\..\\..\\y", "FC/wh*t"]
)
def test_a_template_is_checked_for_what_needs_no_project_when_it_is_saved(path: str) -> None:
    with pytest.raises(UnsafePath):
        check_template_path(path)


@pytest.mark.parametrize("path", ["$REPO1/FC/SH001/comp/", "/mnt/anywhere/FC", "C:/x/FC", "FC/a/../b"])
def test_templates_that_may_fit_some_project_are_saved(path: str) -> None:
    check_template_path(path)
