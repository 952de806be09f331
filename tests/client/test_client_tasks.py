"""Parts II to IV through the client: a project with its status list and image format, a sequence and
shots, querying, updating and deleting a shot, the SH001 tasks with dependencies, resources and efforts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stalker_client import Conflict, Project, Stalker, Task, ValidationError

from support.client_data import make_user


def fancy_commercial(client: Stalker, unique: str) -> Project:
    statuses = [client.statuses.by_code(code) for code in ("NEW", "WIP", "CMPL")]
    status_list = client.status_lists.create(
        name=f"Project Status List {unique}",
        target_entity_type="Project",
        status_ids=[s.id for s in statuses if s is not None],
    )
    hd = client.image_formats.create(name=f"HD 1080 {unique}", width=1920, height=1080)
    return client.projects.create(
        name=f"Fancy Commercial {unique}",
        code=f"FC{unique}",
        status_list_id=status_list.id,
        image_format_id=hd.id,
        fps=25,
        end=datetime(2014, 5, 15, tzinfo=UTC),
    )


def test_part_ii_a_a_project_a_sequence_and_shots_in_it(admin: Stalker, unique: str) -> None:
    project = fancy_commercial(admin, unique)
    assert (project.status, project.fps, project.end) == ("NEW", 25.0, datetime(2014, 5, 15, tzinfo=UTC))
    seq1 = admin.sequences.create(name="Sequence 1", code="SEQ1", project_id=project.id)
    made = [
        admin.shots.create(code=c, project_id=project.id, sequence_ids=[seq1.id]) for c in ("SH001", "SH002")
    ]
    assert [str(s) for s in made] == ["<SH001 (Shot)>", "<SH002 (Shot)>"]
    assert all(s.sequence_ids == [seq1.id] and s.image_format_id == project.image_format_id for s in made)
    assert [s.code for s in admin.shots.sequences(made[0].id)] == ["SEQ1"]
    every_kind = admin.tasks.list(project_id=project.id, sort="id")
    assert [t.kind for t in every_kind] == ["sequence", "shot", "shot"]
    login, user_id = make_user(admin, unique)
    member = admin.projects.add_user(project.id, user_id)
    assert member.login == login and [u.user_id for u in admin.projects.users(project.id)] == [user_id]


def test_part_ii_b_a_wrong_shot_is_renamed_found_renamed_back_and_deleted(
    admin: Stalker, unique: str
) -> None:
    project = fancy_commercial(admin, unique)
    sh004 = admin.shots.create(code="SH004", project_id=project.id)
    assert admin.shots.update(sh004.id, code="SH005").code == "SH005"
    wrong_shot = admin.shots.first(project_id=project.id, code="SH005")
    assert wrong_shot is not None and wrong_shot.id == sh004.id
    assert admin.shots.update(wrong_shot.id, code="SH004").revision == 3
    admin.shots.delete(wrong_shot.id)
    assert admin.shots.first(project_id=project.id, code="SH005") is None


def sh001_tasks(client: Stalker, unique: str) -> tuple[Task, dict[str, Task], int]:
    project = fancy_commercial(client, unique)
    sh001 = client.shots.create(code="SH001", name="SH001", project_id=project.id)
    tasks = {
        name: client.tasks.create(name=name, parent_id=sh001.id)
        for name in ("Previs", "Matchmove", "Animation", "Lighting", "comp")
    }
    client.tasks.set_dependencies(tasks["comp"].id, [tasks["Lighting"].id])
    client.tasks.set_dependencies(tasks["Lighting"].id, [tasks["Animation"].id])
    client.tasks.set_dependencies(tasks["Animation"].id, [tasks["Previs"].id, tasks["Matchmove"].id])
    return sh001, tasks, make_user(client, unique)[1]


def test_part_iii_dependencies_and_the_statuses_they_give(admin: Stalker, unique: str) -> None:
    sh001, tasks, _ = sh001_tasks(admin, unique)
    children = admin.tasks.children(sh001.id)
    assert [(t.name, t.status) for t in children] == [
        ("Previs", "RTS"),
        ("Matchmove", "RTS"),
        ("Animation", "WFD"),
        ("Lighting", "WFD"),
        ("comp", "WFD"),
    ]
    animation = admin.tasks.dependencies(tasks["Animation"].id)
    assert [(d.depends_on_id, d.target) for d in animation] == [
        (tasks["Previs"].id, "onend"),
        (tasks["Matchmove"].id, "onend"),
    ]
    admin.tasks.remove_dependency(tasks["Animation"].id, tasks["Matchmove"].id)
    added = admin.tasks.add_dependency(tasks["Animation"].id, tasks["Matchmove"].id, target="onstart")
    assert [d.target for d in added] == ["onend", "onstart"]
    with pytest.raises(Conflict) as loop:  # Previs would wait for comp, which waits for Previs
        admin.tasks.set_dependencies(tasks["Previs"].id, [tasks["comp"].id])
    assert loop.value.status == 409


def test_part_iv_resources_and_efforts(admin: Stalker, unique: str) -> None:
    _, tasks, me = sh001_tasks(admin, unique)
    previs = admin.tasks.update(tasks["Previs"].id, resource_ids=[me], schedule_timing=10, schedule_unit="d")
    assert (previs.resource_ids, previs.schedule_timing, previs.schedule_unit) == ([me], 10.0, "d")
    assert previs.schedule_seconds == 10 * 9 * 3600  # a working day is 9 hours
    assert [u.id for u in admin.tasks.resources(previs.id)] == [me]
    admin.tasks.set_resources(tasks["comp"].id, [me])
    admin.tasks.remove_resource(tasks["comp"].id, me)
    assert admin.tasks.add_resource(tasks["comp"].id, me)[0].id == me
    with pytest.raises(ValidationError) as bad_unit:
        admin.tasks.update(previs.id, schedule_unit="fortnight")
    assert bad_unit.value.field == "schedule_unit"


def test_bulk_create_names_items_by_ref(admin: Stalker, unique: str) -> None:
    project = fancy_commercial(admin, unique)
    result = admin.tasks.bulk_create(
        [
            {"ref": "shot", "kind": "shot", "code": "SH010", "project_id": project.id},
            {"ref": "a", "name": "Layout", "parent_ref": "shot"},
            {"ref": "b", "name": "Anim", "parent_ref": "shot", "depends_on_refs": ["a"]},
        ]
    )
    assert result.count == 3 and [i.ref for i in result.items] == ["shot", "a", "b"]
    anim = admin.tasks.get(result.items[2].id)
    assert anim.depends_on_ids == [result.items[1].id] and anim.status == "WFD"


def test_a_deleted_project_id_is_never_given_again(admin: Stalker, unique: str) -> None:
    """The versions service keeps deleted projects and tasks by id: SQLite must not reuse them."""
    first = admin.projects.create(name=f"Short lived {unique}", code=f"SL{unique}")
    task = admin.tasks.create(name="only", project_id=first.id)
    admin.projects.delete(first.id)
    second = admin.projects.create(name=f"Short lived {unique}", code=f"SL{unique}")
    assert second.id > first.id
    assert admin.tasks.create(name="only", project_id=second.id).id > task.id
