"""The read model of the catalog: events applied once and only when newer, deletions final, and a fetch
from the catalog (with the caller's token) when a task's events have not arrived yet."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from stalker_shared.contracts.catalog import ProjectDeleted, ProjectUpdated, TaskDeleted, TaskUpdated
from stalker_versions.db.models import TaskRef
from stalker_versions.service.catalog_events import ProjectFacts, TaskFacts

from support.versions import (
    COMP,
    PROJECT,
    SHOT,
    VersionsService,
    feed_the_commercial,
    project_created,
    set_up_storage,
    task_state,
)


async def task_name(versions: VersionsService, task_id: int) -> tuple[str, int, bool]:
    async with versions.runtime.sessionmaker() as session:
        task = (await session.scalars(select(TaskRef).where(TaskRef.id == task_id))).one()
        return task.name, task.revision, task.deleted


async def test_a_stale_update_changes_nothing(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    newer = task_state(
        TaskUpdated, id=COMP, project_id=PROJECT, name="compositing", parent_id=SHOT, revision=3
    )
    older = task_state(TaskUpdated, id=COMP, project_id=PROJECT, name="old name", parent_id=SHOT, revision=2)
    assert (await versions.deliver(newer)).outcome == "ack"
    assert (await versions.deliver(older)).outcome == "ack"
    assert await task_name(versions, COMP) == ("compositing", 3, False)


async def test_a_duplicate_message_is_acknowledged_without_effect(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    message_id = uuid.uuid4()
    update = task_state(TaskUpdated, id=COMP, project_id=PROJECT, name="comp v2", parent_id=SHOT, revision=2)
    await versions.deliver(update, message_id)
    # The same message again, then a different message with the same payload: neither changes anything.
    assert (await versions.deliver(update, message_id)).outcome == "ack"
    assert (await versions.deliver(update)).outcome == "ack"
    assert await task_name(versions, COMP) == ("comp v2", 2, False)


async def test_a_deletion_is_final_even_when_an_older_state_arrives_late(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    await set_up_storage(versions)
    await versions.deliver(TaskDeleted(id=COMP, revision=2))
    late = task_state(TaskUpdated, id=COMP, project_id=PROJECT, name="late", parent_id=SHOT, revision=1)
    await versions.deliver(late)
    assert await task_name(versions, COMP) == ("comp", 2, True)
    refused = await versions.client.post(f"/versions/v1/tasks/{COMP}/versions", json={})
    assert refused.status_code == 404 and "deleted" in refused.json()["detail"]
    assert versions.catalog.calls == []  # a tombstone answers without asking the catalog


async def test_a_deletion_arriving_before_the_creation_wins(versions: VersionsService) -> None:
    await versions.deliver(TaskDeleted(id=99, revision=1))
    await versions.deliver(task_state(id=99, project_id=PROJECT, name="ghost"))
    assert await task_name(versions, 99) == ("", 1, True)


async def test_project_updates_and_deletion(versions: VersionsService) -> None:
    await versions.deliver(project_created(PROJECT, "Fancy Commercial", "FC"))
    renamed = ProjectUpdated(**{**project_created(PROJECT, "Fancy", "FC2").model_dump(), "revision": 2})
    await versions.deliver(renamed)
    await versions.deliver(project_created(PROJECT, "stale", "OLD"))  # revision 1 again
    seen = (await versions.client.get(f"/versions/v1/projects/{PROJECT}")).json()
    assert (seen["name"], seen["code"], seen["revision"]) == ("Fancy", "FC2", 2)
    await versions.deliver(ProjectDeleted(id=PROJECT, revision=2))
    assert (await versions.client.get(f"/versions/v1/projects/{PROJECT}")).status_code == 404


async def test_an_event_that_breaks_its_contract_is_dead_lettered(versions: VersionsService) -> None:
    from support.versions import FakeDelivery

    delivery = FakeDelivery(b'{"type": "catalog.task.created", "version": 1}')
    (consumer,) = versions.runtime.consumers()
    await consumer.handle(delivery)
    assert delivery.outcome == "dead_letter" and "malformed envelope" in (delivery.reason or "")


async def test_a_task_the_events_have_not_brought_yet_is_fetched_once(versions: VersionsService) -> None:
    # Only the project and the storage exist here; the shot and comp are known to the catalog alone,
    # and the shot's sequence to nobody (a lookup that fails there is let go).
    await versions.deliver(project_created(PROJECT, "Fancy Commercial", "FC"))
    await set_up_storage(versions)
    versions.catalog.tasks = {
        SHOT: TaskFacts(
            id=SHOT,
            project_id=PROJECT,
            kind="shot",
            name="SH001",
            code="SH001",
            sequence_ids=[40],
            revision=1,
        ),
        COMP: TaskFacts(id=COMP, project_id=PROJECT, parent_id=SHOT, name="comp", revision=4),
    }
    token = versions.client.headers["Authorization"].removeprefix("Bearer ")  # the one the client sends
    first = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    assert first["filename"] == "SH001_comp_Main_v001"
    assert versions.catalog.calls == [("task", COMP, token), ("task", SHOT, token), ("task", 40, token)]

    versions.catalog.reachable = False  # the read model holds them now: the catalog is not needed
    second = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    assert second["version_number"] == 2 and len(versions.catalog.calls) == 3
    assert await task_name(versions, COMP) == ("comp", 4, False)


async def test_a_shots_sequence_fetched_with_it_names_the_sequence(versions: VersionsService) -> None:
    await versions.deliver(project_created(PROJECT, "Fancy Commercial", "FC"))
    template = await versions.post(
        "/versions/v1/filename-templates",
        {
            "name": "by sequence",
            "target_entity_type": "Task",
            "path": "{{project.code}}/{{sequence.code}}/{{shot.code}}",
            "filename": "{{version.nice_name}}",
        },
    )
    await set_up_storage(versions)
    structure = (await versions.client.get(f"/versions/v1/projects/{PROJECT}/storage")).json()["structure_id"]
    await versions.client.patch(
        f"/versions/v1/structures/{structure}", json={"template_ids": [template["id"]]}
    )
    versions.catalog.tasks = {
        40: TaskFacts(id=40, project_id=PROJECT, kind="sequence", name="Sequence 1", code="SEQ1", revision=1),
        SHOT: TaskFacts(
            id=SHOT,
            project_id=PROJECT,
            kind="shot",
            name="SH001",
            code="SH001",
            sequence_ids=[40],
            revision=1,
        ),
        COMP: TaskFacts(id=COMP, project_id=PROJECT, parent_id=SHOT, name="comp", revision=1),
    }
    version = await versions.post(f"/versions/v1/tasks/{COMP}/versions", {})
    assert version["full_path"].endswith("FC/SEQ1/SH001/SH001_comp_Main")
    assert version["path"] == "FC/SEQ1/SH001"  # relative: it lives in the project's repository
    assert version["absolute_path"] == "/mnt/M/commercials/FC/SEQ1/SH001"


async def test_a_project_the_events_have_not_brought_yet_is_fetched_for_its_storage(
    versions: VersionsService,
) -> None:
    versions.catalog.projects = {
        PROJECT: ProjectFacts(id=PROJECT, name="Fancy Commercial", code="FC", revision=1)
    }
    await set_up_storage(versions)
    assert (await versions.client.get(f"/versions/v1/projects/{PROJECT}")).json()["code"] == "FC"
    unknown = await versions.client.put("/versions/v1/projects/77/storage", json={"repository_ids": []})
    assert unknown.status_code == 404


async def test_an_unknown_task_is_404_and_an_unreachable_catalog_503(versions: VersionsService) -> None:
    missing = await versions.client.post("/versions/v1/tasks/5000/versions", json={})
    assert missing.status_code == 404 and missing.json()["field"] == "task_id"
    versions.catalog.reachable = False
    down = await versions.client.post("/versions/v1/tasks/5000/versions", json={})
    assert down.status_code == 503
