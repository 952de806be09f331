"""Part VI through the client: the repository's path per OS, the structure with the tutorial's template,
versions of comp with their paths for the caller's OS and numbers 1, 2, 3, and the default folders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from stalker_client import Conflict, NotFound, Stalker, ValidationError, current_os

TEMPLATE_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
TEMPLATE_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
ROOTS = {"linux": "/mnt/M/commercials", "macos": "/Volumes/M/commercials", "windows": "M:/commercials"}

# On one pytest-xdist worker, in order, with a system of its own (below).
pytestmark = pytest.mark.xdist_group("client_versions")


@pytest.fixture(scope="module")
def system(module_system: str) -> str:
    """This module's own system, not the session's: its first test finds its repository by a path under
    the roots that test_cli_work's repository has too (the first repository with that root is the one)."""
    return module_system


@dataclass
class Commercial:
    project_id: int
    repository_id: int
    structure_id: int
    comp_id: int


def commercial(client: Stalker, unique: str) -> Commercial:
    repository = client.repositories.create(
        name=f"Commercial Repository {unique}",
        linux_path=ROOTS["linux"],
        macos_path=ROOTS["macos"],
        windows_path="M:\\commercials",
    )
    template = client.filename_templates.create(
        name=f"Task Template {unique}",
        target_entity_type="Task",
        path=TEMPLATE_PATH,
        filename=TEMPLATE_FILENAME,
    )
    structure = client.structures.create(
        name=f"Commercial Structure {unique}",
        template_ids=[template.id],
        custom_template="Temp\nReferences\nReferences/Movies\nReferences/Images",
    )
    project = client.projects.create(name=f"Fancy Commercial {unique}", code=f"FC{unique}")
    client.storage.set(project.id, repository_ids=[repository.id], structure_id=structure.id)
    sh001 = client.shots.create(code="SH001", project_id=project.id)
    comp = client.tasks.create(name="comp", parent_id=sh001.id)
    return Commercial(project.id, repository.id, structure.id, comp.id)


def test_the_repository_gives_its_path_for_each_os(admin: Stalker, unique: str) -> None:
    repo = admin.repositories.create(
        name=f"Repo {unique}", linux_path="/mnt/M/commercials", windows_path="M:\\commercials"
    )
    assert (repo.linux_path, repo.windows_path, repo.macos_path) == (
        "/mnt/M/commercials/",
        "M:/commercials/",
        None,
    )
    assert admin.repositories.path_of(repo.id, "windows") == "M:/commercials/"
    assert admin.repositories.path_of(repo.id) == repo.path_for(current_os())
    repo = admin.repositories.update(repo.id, osx_path="/Volumes/M/commercials")
    assert repo.path_for("macos") == "/Volumes/M/commercials/"
    assert admin.repositories.first(name=f"Repo {unique}") == repo  # filtered by the server
    assert admin.repositories.list(name__contains=unique.upper()).items == [repo]
    assert admin.repositories.all(code__in=[repo.code, "nothing"], sort="-id") == [repo]
    with pytest.raises(ValidationError) as unknown:
        admin.repositories.list(colour="red")
    assert unknown.value.field == "colour" and "cannot filter by 'colour'" in str(unknown.value)
    portable = admin.paths.to_portable("M:\\commercials\\FC\\a.nk")
    assert portable.path == f"$REPO{repo.id}/FC/a.nk"
    assert admin.paths.expand(portable.path, "macos").path == "/Volumes/M/commercials/FC/a.nk"
    assert admin.paths.repository_of("/mnt/M/commercials/FC").id == repo.id
    admin.repositories.delete(repo.id)
    with pytest.raises(NotFound):
        admin.repositories.get(repo.id)


def test_versions_of_comp_get_the_tutorials_paths_and_numbers(admin: Stalker, unique: str) -> None:
    setup = commercial(admin, unique)
    repo, here = f"$REPO{setup.repository_id}", ROOTS[current_os()]
    vers1 = admin.versions.create(setup.comp_id)
    assert (vers1.path, vers1.filename) == (f"{repo}/FC{unique}/SH001/comp", "SH001_comp_Main_v001")
    assert vers1.full_path == f"{repo}/FC{unique}/SH001/comp/SH001_comp_Main_v001"
    assert vers1.os == current_os()
    assert vers1.absolute_path == f"{here}/FC{unique}/SH001/comp"
    assert vers1.absolute_full_path == f"{here}/FC{unique}/SH001/comp/SH001_comp_Main_v001"
    assert admin.versions.get(vers1.id, os="windows").absolute_path == f"M:/commercials/FC{unique}/SH001/comp"
    numbers = [vers1.version_number] + [admin.versions.create(setup.comp_id).version_number for _ in range(2)]
    assert numbers == [1, 2, 3]
    listed = admin.versions.list(setup.comp_id)
    assert [v.filename for v in listed] == [f"SH001_comp_Main_v00{n}" for n in (1, 2, 3)]
    assert str(listed[2]) == "<SH001_comp_Main_v003 (Version)>"
    with pytest.raises(NotFound):
        admin.versions.latest(setup.comp_id, published=True)
    admin.versions.publish(listed[1].id)
    assert admin.versions.latest(setup.comp_id, published=True).version_number == 2
    assert admin.versions.latest(setup.comp_id).version_number == 3
    assert [v.version_number for v in admin.versions.list(setup.comp_id, is_published=True)] == [2]
    picked = admin.versions.list(setup.comp_id, version_number__in=[1, 3], sort="-version_number")
    assert [v.version_number for v in picked] == [3, 1] and picked.total == 2
    alt = admin.versions.create(setup.comp_id, take_name="Alt", extension="nk")
    assert (alt.version_number, alt.filename) == (1, "SH001_comp_Alt_v001.nk")
    assert admin.versions.list(setup.comp_id, take_name="Alt").items == [alt]
    with pytest.raises(ValidationError) as unknown:
        admin.versions.list(setup.comp_id, colour="red")
    assert unknown.value.field == "colour"


def test_templates_and_structures_are_filtered_by_the_server(admin: Stalker, unique: str) -> None:
    setup = commercial(admin, unique)
    found = admin.structures.first(name=f"Commercial Structure {unique}")
    assert found is not None and found.id == setup.structure_id
    assert admin.structures.all(name__contains=unique, id__in=[setup.structure_id, 0]) == [found]
    templates = admin.filename_templates.list(name__contains=unique, target_entity_type="Task")
    assert templates.total == 1 and templates[0].id in found.template_ids
    assert admin.filename_templates.list(name__contains=unique, target_entity_type="Shot").total == 0
    with pytest.raises(ValidationError) as unknown:
        admin.structures.list(name__startswith="x")
    assert unknown.value.field == "name"


def test_a_retried_create_with_the_same_key_is_the_same_version(admin: Stalker, unique: str) -> None:
    setup = commercial(admin, unique)
    first = admin.versions.create(setup.comp_id, idempotency_key=f"key-{unique}")
    again = admin.versions.create(setup.comp_id, idempotency_key=f"key-{unique}")
    assert again.id == first.id and again.version_number == 1
    assert admin.versions.create(setup.comp_id).version_number == 2  # a new key each call by default


def test_the_default_folders_are_made_on_disk_under_a_root(
    admin: Stalker, unique: str, tmp_path: Path
) -> None:
    setup = commercial(admin, unique)
    listing = admin.storage.directories(setup.project_id, "linux")
    assert listing.directories == [
        f"/mnt/M/commercials/FC{unique}/{d}"
        for d in ("Temp", "References", "References/Movies", "References/Images")
    ]
    made = admin.storage.make_directories(setup.project_id, root=tmp_path)
    assert made[0] == tmp_path / f"FC{unique}"
    assert all(folder.is_dir() for folder in made)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == sorted(
        [f"FC{unique}"]
        + [f"FC{unique}/{d}" for d in ("Temp", "References", "References/Movies", "References/Images")]
    )


def test_a_repository_in_use_cannot_be_deleted(admin: Stalker, unique: str) -> None:
    setup = commercial(admin, unique)
    with pytest.raises(Conflict) as in_use:
        admin.repositories.delete(setup.repository_id)
    assert re.search(r"still used by 1 project", in_use.value.detail)
    storage = admin.storage.get(setup.project_id)
    assert (storage.repository_id, storage.structure_id) == (setup.repository_id, setup.structure_id)
