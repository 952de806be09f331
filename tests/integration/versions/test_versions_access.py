"""Per-project access in the versions service, on PostgreSQL and on SQLite: members of a project see its
rows and act by their role (stalker_shared.access); to anyone else the project's rows are not there
(404, and lists leave them out). Roles follow the catalog's project states, events or fetches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from stalker_shared.auth import Principal
from stalker_shared.contracts.catalog import (
    ProjectCreated,
    ProjectDeleted,
    ProjectMemberState,
    ProjectUpdated,
)
from stalker_versions.db.models import ProjectMember
from stalker_versions.service.catalog_events import MemberFacts, ProjectFacts, TaskFacts

from support.versions import (
    ADMIN,
    ARTIST,
    COMP,
    OTHER_ARTIST,
    PROJECT,
    VersionsService,
    bearer,
    feed_the_commercial,
    project_created,
    set_up_storage,
    task_state,
)

PRODUCER = Principal(user_id=10, login="producer", is_admin=False)
LEAD = Principal(user_id=11, login="lead", is_admin=False)
VIEWER = Principal(user_id=12, login="viewer", is_admin=False)
OUTSIDER = Principal(user_id=13, login="outsider", is_admin=False)  # an artist of the other project only
ROLES = {PRODUCER: "producer", LEAD: "lead", ARTIST: "artist", OTHER_ARTIST: "artist", VIEWER: "viewer"}
OTHER_PROJECT, OTHER_TASK = 50, 51
CREATE = f"/versions/v1/tasks/{COMP}/versions"


def project_state(
    event: type[ProjectCreated | ProjectUpdated],
    project_id: int,
    code: str,
    members: dict[Principal, str],
    revision: int,
) -> ProjectCreated | ProjectUpdated:
    state = project_created(project_id, f"Project {code}", code, revision).model_dump()
    named = [ProjectMemberState(user_id=user.user_id, role=role) for user, role in members.items()]
    return event(**state | {"members": named})


@pytest.fixture
async def studio(service: VersionsService) -> VersionsService:
    """The commercial with its crew (revision 2 names them), and another project with a task of its own,
    both with storage set by an admin."""
    await feed_the_commercial(service)
    await deliver(service, project_state(ProjectUpdated, PROJECT, "FC", ROLES, revision=2))
    await deliver(service, project_state(ProjectCreated, OTHER_PROJECT, "OT", {OUTSIDER: "artist"}, 1))
    await deliver(service, task_state(id=OTHER_TASK, project_id=OTHER_PROJECT, name="other"))
    await set_up_storage(service)
    storage = (await service.client.get(f"/versions/v1/projects/{PROJECT}/storage")).json()
    body = {"repository_ids": storage["repository_ids"], "structure_id": storage["structure_id"]}
    put = await service.client.put(f"/versions/v1/projects/{OTHER_PROJECT}/storage", json=body)
    assert put.status_code == 200, put.text
    return service


async def deliver(service: VersionsService, event: Any) -> None:
    assert (await service.deliver(event)).outcome == "ack"


async def create(service: VersionsService, user: Principal, url: str = CREATE) -> dict[str, Any]:
    return await service.post(url, {}, headers=bearer(user))


async def statuses(
    service: VersionsService, user: Principal, calls: Sequence[tuple[str, str]], body: Any = None
) -> list[int]:
    headers = bearer(user)
    return [
        (await service.client.request(method, url, headers=headers, json=body)).status_code
        for method, url in calls
    ]


async def test_to_a_non_member_the_projects_rows_are_not_there(studio: VersionsService) -> None:
    version = await create(studio, ARTIST)
    one = f"/versions/v1/versions/{version['id']}"
    reads = [
        ("GET", f"/versions/v1/projects/{PROJECT}"),
        ("GET", f"/versions/v1/projects/{PROJECT}/storage"),
        ("GET", f"/versions/v1/projects/{PROJECT}/directories"),
        ("GET", f"{CREATE}/latest"),
        ("GET", f"{CREATE}/latest-published"),
        ("GET", one),
        ("DELETE", one),
    ]
    assert await statuses(studio, OUTSIDER, reads) == [404] * len(reads)
    assert await statuses(studio, OUTSIDER, [("PATCH", one)], {"is_published": True}) == [404]
    assert await statuses(studio, OUTSIDER, [("POST", CREATE)], {}) == [404]
    refused = await studio.client.post(CREATE, json={}, headers=bearer(OUTSIDER))
    unknown = await studio.client.post("/versions/v1/tasks/5000/versions", json={}, headers=bearer(OUTSIDER))
    # Told what an unknown task tells: no hint that this one exists.
    assert refused.status_code == unknown.status_code == 404
    assert refused.json()["field"] == unknown.json()["field"] == "task_id"
    storage = await studio.client.put(
        f"/versions/v1/projects/{PROJECT}/storage", json={"repository_ids": []}, headers=bearer(OUTSIDER)
    )
    assert storage.status_code == 404
    listed = await studio.client.get(CREATE, headers=bearer(OUTSIDER))
    assert listed.status_code == 200 and (listed.json()["items"], listed.json()["total"]) == ([], 0)
    # Nothing was changed or made behind the 404s.
    kept = (await studio.client.get(one)).json()
    assert (kept["is_published"], kept["version_number"]) == (False, 1)
    assert (await studio.client.get(CREATE)).json()["total"] == 1


async def test_a_cached_plan_does_not_let_a_non_member_in(studio: VersionsService) -> None:
    # The admin's creation leaves the task's plan in the process's cache, read without any scope.
    await create(studio, ADMIN)
    assert await statuses(studio, OUTSIDER, [("POST", CREATE)], {}) == [404]
    assert await statuses(studio, VIEWER, [("POST", CREATE)], {}) == [403]


async def test_viewers_read_but_do_not_create(studio: VersionsService) -> None:
    version = await create(studio, ARTIST)
    reads = [
        ("GET", f"/versions/v1/projects/{PROJECT}"),
        ("GET", f"/versions/v1/projects/{PROJECT}/storage"),
        ("GET", f"/versions/v1/projects/{PROJECT}/directories"),
        ("GET", CREATE),
        ("GET", f"{CREATE}/latest"),
        ("GET", f"/versions/v1/versions/{version['id']}"),
    ]
    assert await statuses(studio, VIEWER, reads) == [200] * len(reads)
    refused = await studio.client.post(CREATE, json={}, headers=bearer(VIEWER))
    assert refused.status_code == 403, refused.text
    assert (refused.json()["operation"], refused.json()["role"]) == ("version.create", "viewer")
    one = f"/versions/v1/versions/{version['id']}"
    assert await statuses(studio, VIEWER, [("PATCH", one)], {"description": "mine now"}) == [403]
    assert await statuses(studio, VIEWER, [("DELETE", one)]) == [403]


async def test_artists_change_their_own_versions_and_leads_any(studio: VersionsService) -> None:
    mine, theirs = await create(studio, ARTIST), await create(studio, OTHER_ARTIST)
    url = "/versions/v1/versions/{}".format
    refused = await studio.client.patch(url(theirs["id"]), json={"description": "x"}, headers=bearer(ARTIST))
    assert refused.status_code == 403 and refused.json()["operation"] == "version.edit.any"
    assert await statuses(studio, ARTIST, [("DELETE", url(theirs["id"]))]) == [403]

    published = await studio.client.patch(
        url(mine["id"]), json={"is_published": True}, headers=bearer(ARTIST)
    )
    assert published.status_code == 200 and published.json()["is_published"] is True
    event = [e for e in await studio.events() if e["type"] == "versions.version.published"][-1]
    assert event["payload"]["published_by_id"] == ARTIST.user_id

    led = await studio.client.patch(url(theirs["id"]), json={"description": "notes"}, headers=bearer(LEAD))
    assert led.status_code == 200 and led.json()["description"] == "notes"
    assert await statuses(studio, LEAD, [("DELETE", url(theirs["id"]))]) == [204]
    assert await statuses(studio, ARTIST, [("DELETE", url(mine["id"]))]) == [204]
    assert (await studio.client.get(CREATE)).json()["total"] == 0


async def test_producers_set_the_storage_others_do_not(studio: VersionsService) -> None:
    url = f"/versions/v1/projects/{PROJECT}/storage"
    storage = (await studio.client.get(url)).json()
    body = {"repository_ids": storage["repository_ids"], "structure_id": None}
    assert await statuses(studio, ARTIST, [("PUT", url)], body) == [403]
    assert await statuses(studio, LEAD, [("PUT", url)], body) == [403]
    assert await statuses(studio, OUTSIDER, [("PUT", url)], body) == [404]
    assert (await studio.client.get(url)).json()["structure_id"] == storage["structure_id"]
    changed = await studio.client.put(url, json=body, headers=bearer(PRODUCER))
    assert changed.status_code == 200 and changed.json()["structure_id"] is None


async def test_lists_and_links_never_reach_another_projects_rows(studio: VersionsService) -> None:
    elsewhere = await create(studio, OUTSIDER, f"/versions/v1/tasks/{OTHER_TASK}/versions")
    here = await create(studio, ARTIST)
    # The admin sees both projects' versions; each member only their project's.
    other_list = f"/versions/v1/tasks/{OTHER_TASK}/versions"
    assert (await studio.client.get(other_list)).json()["total"] == 1
    theirs = (await studio.client.get(other_list, headers=bearer(ARTIST))).json()
    assert (theirs["items"], theirs["total"]) == ([], 0)
    ours = (await studio.client.get(CREATE, headers=bearer(ARTIST))).json()
    assert [v["id"] for v in ours["items"]] == [here["id"]]
    assert await statuses(studio, ARTIST, [("GET", f"/versions/v1/versions/{elsewhere['id']}")]) == [404]
    linked = await studio.client.post(CREATE, json={"input_ids": [elsewhere["id"]]}, headers=bearer(ARTIST))
    assert linked.status_code == 404 and linked.json()["field"] == "input_ids"
    patched = await studio.client.patch(
        f"/versions/v1/versions/{here['id']}", json={"output_ids": [elsewhere["id"]]}, headers=bearer(ARTIST)
    )
    assert patched.status_code == 404 and patched.json()["field"] == "output_ids"


async def test_roles_follow_the_projects_states(studio: VersionsService) -> None:
    project = f"/versions/v1/projects/{PROJECT}"
    assert await statuses(studio, ARTIST, [("GET", project)]) == [200]
    # Revision 3 drops the artist and makes the viewer an artist.
    crew = {PRODUCER: "producer", VIEWER: "artist"}
    await deliver(studio, project_state(ProjectUpdated, PROJECT, "FC", crew, revision=3))
    assert await statuses(studio, ARTIST, [("GET", project), ("POST", CREATE)], {}) == [404, 404]
    assert await statuses(studio, VIEWER, [("POST", CREATE)], {}) == [201]
    # A late, older state changes nobody's access.
    await deliver(studio, project_state(ProjectUpdated, PROJECT, "FC", ROLES, revision=2))
    assert await statuses(studio, ARTIST, [("GET", project)]) == [404]
    await deliver(studio, ProjectDeleted(id=PROJECT, revision=4))
    async with studio.runtime.sessionmaker() as session:
        left = await session.scalars(select(ProjectMember.project_id).distinct())
        assert list(left) == [OTHER_PROJECT]


async def test_members_fetched_from_the_catalog_with_the_project(service: VersionsService) -> None:
    # Neither the project nor its tasks have come by event: the catalog's answers carry the members.
    new, task = 60, 61
    service.catalog.projects = {
        new: ProjectFacts(
            id=new,
            name="New",
            code="NEW",
            revision=1,
            members=[MemberFacts(user_id=PRODUCER.user_id, role="producer"), MemberFacts(user_id=7)],
        )
    }
    service.catalog.tasks = {task: TaskFacts(id=task, project_id=new, name="layout", revision=1)}
    await deliver(service, project_created(PROJECT, "Fancy Commercial", "FC"))
    await set_up_storage(service)  # the tutorial's project, for its repository and structure
    storage = (await service.client.get(f"/versions/v1/projects/{PROJECT}/storage")).json()
    body = {"repository_ids": storage["repository_ids"], "structure_id": storage["structure_id"]}
    put = await service.client.put(
        f"/versions/v1/projects/{new}/storage", json=body, headers=bearer(PRODUCER)
    )
    assert put.status_code == 200, put.text
    # A member named without a role is an artist; the version's task is fetched, then made.
    made = await create(service, ARTIST, f"/versions/v1/tasks/{task}/versions")
    assert (made["project_id"], made["version_number"]) == (new, 1)
    assert await statuses(service, OUTSIDER, [("GET", f"/versions/v1/versions/{made['id']}")]) == [404]
