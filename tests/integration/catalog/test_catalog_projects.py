"""Tutorial Part II/A over HTTP, and the project rules: code uniqueness, status within its list, dates with
a time zone, users with roles and rates, deleting a project with its tasks."""

from __future__ import annotations

from typing import Any

from stalker_catalog.db.models import Task

from support.catalog import Catalog

ME = {
    "name": "Erkan Ozgur Yilmaz",
    "login": "eoyilmaz",
    "email": "some_email_address@gmail.com",
    "password": "Tr0ub4dor&3",
    "description": "This is me",
    "rate": 120.0,
}
DESCRIPTION = """The commercial is about this fancy product. The
client want us to have a shiny look with their
product bla bla bla..."""


async def status_id(catalog: Catalog, code: str) -> int:
    items = (await catalog.client.get("/catalog/v1/statuses", params={"code": code})).json()["items"]
    assert [s["code"] for s in items] == [code]
    return int(items[0]["id"])


async def create(catalog: Catalog, path: str, body: dict[str, Any], headers: Any = None) -> dict[str, Any]:
    response = await catalog.client.post(f"/catalog/v1/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def tutorial_list(catalog: Catalog) -> dict[str, Any]:
    ids = [await status_id(catalog, code) for code in ("NEW", "WIP", "CMPL")]
    body = {"name": "Project Status List", "status_ids": ids, "target_entity_type": "Project"}
    return await create(catalog, "status-lists", body)


async def test_tutorial_part_2a_fancy_commercial(catalog: Catalog) -> None:
    client = catalog.client
    me = await create(catalog, "users", ME)
    project_statuses = await tutorial_list(catalog)
    hd = await create(catalog, "image-formats", {"name": "HD 1080", "width": 1920, "height": 1080})
    project = await create(
        catalog,
        "projects",
        {
            "name": "Fancy Commercial",
            "code": "FC",
            "status_list_id": project_statuses["id"],
            "description": DESCRIPTION,
            "image_format_id": hd["id"],
            "fps": 25,
            "end": "2014-05-15T00:00:00+03:00",
        },
    )
    added = await client.post(f"/catalog/v1/projects/{project['id']}/users", json={"user_id": me["id"]})
    assert added.status_code == 201, added.text

    fetched = (await client.get(f"/catalog/v1/projects/{project['id']}")).json()
    assert fetched["status"] == "NEW"  # the first status of its own list
    assert fetched["status_list_id"] == project_statuses["id"]
    assert (fetched["name"], fetched["code"], fetched["description"]) == (
        "Fancy Commercial",
        "FC",
        DESCRIPTION,
    )
    assert fetched["image_format_id"] == hd["id"] and fetched["fps"] == 25.0
    assert fetched["end"] == "2014-05-14T21:00:00Z" and fetched["start"] is None
    assert fetched["user_ids"] == [me["id"]]
    users = (await client.get(f"/catalog/v1/projects/{project['id']}/users")).json()
    assert users == [
        {
            "user_id": me["id"],
            "name": ME["name"],
            "login": "eoyilmaz",
            "role_id": None,
            "role": None,
            "access": "artist",
            "rate": 120.0,
        }
    ]
    by_code = (await client.get("/catalog/v1/projects?code=FC&fields=id,status")).json()
    assert by_code["items"] == [{"id": project["id"], "status": "NEW"}]
    events = [e for e in await catalog.events() if e["type"].startswith("catalog.project.")]
    assert [e["type"] for e in events] == ["catalog.project.created", "catalog.project.updated"]
    assert events[0]["payload"]["status"] == "NEW" and events[1]["payload"]["user_ids"] == [me["id"]]


async def test_project_defaults_come_from_the_default_project_list(catalog: Catalog) -> None:
    project = await create(catalog, "projects", {"name": "  Spot   One ", "code": "SP1"})
    default = (await catalog.client.get("/catalog/v1/status-lists?target_entity_type=Project")).json()
    assert project["status_list_id"] == default["items"][0]["id"] and project["status"] == "RTS"
    assert (project["name"], project["fps"], project["image_format_id"]) == ("Spot One", 25.0, None)
    assert project["user_ids"] == [] and project["revision"] == 1


async def test_project_rules_answer_with_the_field_at_fault(catalog: Catalog) -> None:
    client = catalog.client
    await create(catalog, "projects", {"name": "Fancy Commercial", "code": "FC"})
    tutorial = await tutorial_list(catalog)
    tasks_list = (await client.get("/catalog/v1/status-lists?target_entity_type=Task")).json()["items"][0]
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"code": "FC"}, 409, "code", "project code 'FC' is already used"),
        ({"status_list_id": tasks_list["id"]}, 422, "status_list_id", "is for Task, not for Project"),
        ({"status_list_id": 99999}, 404, "status_list_id", "99999"),
        ({"status_list_id": tutorial["id"], "status": "RTS"}, 422, "status", "use one of NEW, WIP, CMPL"),
        ({"image_format_id": 99999}, 404, "image_format_id", "no image format"),
        ({"end": "2014-05-15T00:00:00"}, 422, "end", "timezone"),
        ({"start": "2014-05-15T00:00:00Z", "end": "2014-05-01T00:00:00Z"}, 422, "end", "must be after"),
        ({"fps": 0}, 422, "fps", "greater than 0"),
        ({"user_ids": [99999]}, 404, "user_ids", "no user with id 99999"),
        ({"revision": 3}, 422, "revision", "Extra inputs"),
    ]
    for extra, status, field, message in cases:
        response = await client.post("/catalog/v1/projects", json={"name": "P", "code": "P2", **extra})
        assert response.status_code == status, (extra, response.text)
        problem = response.json()
        assert field in ([e["field"] for e in problem.get("errors", [])] or [problem.get("field")]), problem
        assert message in problem["detail"], (extra, problem)
    assert (await client.get("/catalog/v1/projects")).json()["total"] == 1


async def test_status_changes_stay_within_the_projects_list(catalog: Catalog) -> None:
    client = catalog.client
    tutorial = await tutorial_list(catalog)
    project = await create(
        catalog, "projects", {"name": "FC", "code": "FC", "status_list_id": tutorial["id"]}
    )
    url = f"/catalog/v1/projects/{project['id']}"
    assert (await client.patch(url, json={"status": "wip"})).json()["status"] == "WIP"
    default = (await client.get("/catalog/v1/status-lists?target_entity_type=Project&is_default=true")).json()
    moved = await client.patch(url, json={"status_list_id": default["items"][0]["id"]})
    assert moved.status_code == 200 and moved.json()["status"] == "WIP"  # the default list has WIP too
    back = await client.patch(url, json={"status_list_id": tutorial["id"], "status": "NEW"})
    assert back.json()["status"] == "NEW"
    leaving = await client.patch(url, json={"status_list_id": default["items"][0]["id"]})
    assert leaving.status_code == 422 and leaving.json()["field"] == "status"
    assert "'NEW' is not in status list 'Project Statuses'" in leaving.json()["detail"]
    other = await create(catalog, "projects", {"name": "Other", "code": "OT"})
    clash = await client.patch(url, json={"code": other["code"]})
    assert clash.status_code == 409 and clash.json()["field"] == "code"
    dates = await client.patch(
        url, json={"start": "2014-04-01T09:00:00+02:00", "end": "2014-05-15T00:00:00Z"}
    )
    assert dates.json()["start"] == "2014-04-01T07:00:00Z"
    cleared = await client.patch(url, json={"start": None})
    assert cleared.json()["start"] is None and cleared.json()["end"] == "2014-05-15T00:00:00Z"


async def test_project_users_have_roles_and_rates(catalog: Catalog) -> None:
    client = catalog.client
    me = await create(catalog, "users", ME)
    other = await create(catalog, "users", {**ME, "login": "other", "email": "o@x.com", "rate": 0.0})
    # `init` made one role per access level: Producer, Lead, Artist, Viewer.
    [lead] = (await client.get("/catalog/v1/roles?name=Lead")).json()["items"]
    assert lead["access"] == "lead"
    project = await create(catalog, "projects", {"name": "FC", "code": "FC", "user_ids": [other["id"]]})
    url = f"/catalog/v1/projects/{project['id']}/users"
    added = await client.post(url, json={"user_id": me["id"], "role_id": lead["id"], "rate": 150})
    assert added.status_code == 201
    assert added.json() == {
        "user_id": me["id"],
        "name": ME["name"],
        "login": "eoyilmaz",
        "role_id": lead["id"],
        "role": "Lead",
        "access": "lead",
        "rate": 150.0,
    }
    again = await client.post(url, json={"user_id": me["id"]})
    assert again.status_code == 409 and again.json()["field"] == "user_id"
    missing_role = await client.post(url, json={"user_id": other["id"], "role_id": 99999})
    assert missing_role.status_code == 404 and missing_role.json()["field"] == "role_id"
    listed = (await client.get(url)).json()
    assert [(u["login"], u["role"], u["rate"]) for u in listed] == [
        ("eoyilmaz", "Lead", 150.0),
        ("other", None, 0.0),
    ]
    assert (await client.delete(f"{url}/{other['id']}")).status_code == 204
    gone = await client.delete(f"{url}/{other['id']}")
    assert gone.status_code == 422 and gone.json()["field"] == "user_id"
    assert (await client.get(f"/catalog/v1/projects/{project['id']}")).json()["user_ids"] == [me["id"]]
    user_in_project = await client.delete(f"/catalog/v1/users/{me['id']}")
    assert user_in_project.status_code == 409
    assert user_in_project.json()["referenced_by"] == {"project.users": [project["id"]]}
    updates = [e for e in await catalog.events() if e["type"] == "catalog.project.updated"]
    assert [e["payload"]["user_ids"] for e in updates] == [[me["id"], other["id"]], [me["id"]]]


async def test_deleting_a_project_deletes_its_tasks_with_an_event_each(catalog: Catalog) -> None:
    client = catalog.client
    project = await create(catalog, "projects", {"name": "FC", "code": "FC"})
    keep = await create(catalog, "projects", {"name": "Keep", "code": "KP"})
    async with catalog.runtime.sessionmaker() as session:
        parent = Task(project_id=project["id"], name="SH001", kind="shot", code="SH001", status="RTS")
        session.add(parent)
        await session.flush()
        child = Task(project_id=project["id"], parent_id=parent.id, name="comp", status="RTS")
        kept = Task(project_id=keep["id"], name="Other", status="RTS")
        session.add_all([child, kept])
        await session.commit()
        task_ids = sorted([parent.id, child.id])
    assert (await client.delete(f"/catalog/v1/projects/{project['id']}")).status_code == 204
    assert (await client.get(f"/catalog/v1/projects/{project['id']}")).status_code == 404
    async with catalog.runtime.sessionmaker() as session:
        from sqlalchemy import select

        left = list(await session.scalars(select(Task.id).order_by(Task.id)))
    assert left == [kept.id]
    deleted = [e for e in await catalog.events() if e["type"].endswith(".deleted")]
    assert [(e["type"], e["payload"]["id"]) for e in deleted] == [
        ("catalog.project.deleted", project["id"]),
        *[("catalog.task.deleted", task_id) for task_id in task_ids],
    ]
    assert (await client.delete(f"/catalog/v1/projects/{project['id']}")).status_code == 404


async def test_admins_make_projects_producers_run_them_and_others_do_not_see_them(catalog: Catalog) -> None:
    client = catalog.client
    me = await create(catalog, "users", ME)
    await create(catalog, "users", {**ME, "login": "stranger", "email": "s@x.com"})
    artist = await catalog.token_for("eoyilmaz")
    stranger = await catalog.token_for("stranger")
    refused = await client.post("/catalog/v1/projects", json={"name": "F", "code": "F"}, headers=artist)
    assert refused.status_code == 403
    project = await create(catalog, "projects", {"name": "Fancy Commercial", "code": "FC"})
    url = f"/catalog/v1/projects/{project['id']}"
    [producer] = (await client.get("/catalog/v1/roles?name=Producer")).json()["items"]
    added = await client.post(f"{url}/users", json={"user_id": me["id"], "role_id": producer["id"]})
    assert added.status_code == 201 and added.json()["access"] == "producer"
    renamed = await client.patch(url, json={"name": "Fancy"}, headers=artist)
    assert renamed.status_code == 200 and renamed.json()["revision"] == 3
    assert renamed.json()["members"] == [{"user_id": me["id"], "role": "producer"}]
    found = await client.get("/catalog/v1/projects?name__contains=FAN", headers=artist)
    assert [p["code"] for p in found.json()["items"]] == ["FC"]
    assert (await client.get("/catalog/v1/projects", headers=stranger)).json()["items"] == []
    for method in ("GET", "PATCH", "DELETE"):
        hidden = await client.request(method, url, json={} if method == "PATCH" else None, headers=stranger)
        assert hidden.status_code == 404, method
    anonymous = {"Authorization": ""}
    assert (await client.get("/catalog/v1/projects", headers=anonymous)).status_code == 401
    assert (await client.post("/catalog/v1/projects", json={}, headers=anonymous)).status_code == 401
