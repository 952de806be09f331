"""Tutorial Part I over HTTP: init, the user, the TDs department with the user added from either side."""

from __future__ import annotations

import httpx

from support.catalog import ADMIN_PASSWORD, Catalog

ME = {
    "name": "Erkan Ozgur Yilmaz",
    "login": "eoyilmaz",
    "email": "some_email_address@gmail.com",
    "password": "Tr0ub4dor&3",
    "description": "This is me",
}


async def test_init_gives_admins_first_and_a_second_run_changes_nothing(catalog: Catalog) -> None:
    departments = (await catalog.client.get("/catalog/v1/departments")).json()
    assert [d["name"] for d in departments["items"]] == ["admins"]
    again = await catalog.client.post("/catalog/v1/init")
    assert again.status_code == 200
    assert again.json() == {"changed": False, "created": {k: 0 for k in again.json()["created"]}}
    listed = (await catalog.client.get("/catalog/v1/statuses?limit=100")).json()
    assert listed["total"] == 17
    statuses = {s["code"] for s in listed["items"]}
    assert {"WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL", "NEW"} <= statuses
    lists = (await catalog.client.get("/catalog/v1/status-lists?is_default=true&limit=100")).json()
    assert {"Task", "Project", "Asset", "Shot", "Sequence", "Scene"} <= {
        s["target_entity_type"] for s in lists["items"]
    }


async def test_the_tutorial_user_joins_the_tds_department_from_either_side(catalog: Catalog) -> None:
    client = catalog.client
    me = (await client.post("/catalog/v1/users", json=ME)).json()
    assert me["login"] == "eoyilmaz" and "password" not in me and "password_hash" not in me
    tds = (
        await client.post(
            "/catalog/v1/departments", json={"name": "TDs", "description": "This is the TDs department"}
        )
    ).json()

    added = await client.post(f"/catalog/v1/departments/{tds['id']}/users", json={"user_id": me["id"]})
    assert added.status_code == 201 and added.json()["user_ids"] == [me["id"]]
    user = (await client.get(f"/catalog/v1/users/{me['id']}")).json()
    assert user["department_ids"] == [tds["id"]]  # me.departments -> [<TDs (Department)>]

    departments = (await client.get("/catalog/v1/departments")).json()["items"]
    assert [d["name"] for d in departments] == ["admins", "TDs"]  # admins first
    members = (await client.get(f"/catalog/v1/departments/{departments[1]['id']}/members")).json()
    assert [m["name"] for m in members] == ["Erkan Ozgur Yilmaz"]  # users and members are one list

    left = await client.delete(f"/catalog/v1/departments/{tds['id']}/users/{me['id']}")
    assert left.status_code == 204
    joined = await client.post(f"/catalog/v1/users/{me['id']}/departments", json={"department_id": tds["id"]})
    assert joined.status_code == 201 and joined.json()["department_ids"] == [tds["id"]]
    assert (await client.get(f"/catalog/v1/departments/{tds['id']}")).json()["member_ids"] == [me["id"]]
    assert "catalog.department.updated" in await catalog.event_types()


async def test_logins_are_normalized_unique_and_passwords_are_argon2_hashes(catalog: Catalog) -> None:
    client = catalog.client
    created = (await client.post("/catalog/v1/users", json={**ME, "login": "  Erkan Ozgur "})).json()
    assert created["login"] == "erkanozgur"
    clash = await client.post(
        "/catalog/v1/users", json={**ME, "login": "ERKAN ozgur", "email": "other@x.com"}
    )
    assert clash.status_code == 409 and clash.json()["field"] == "login"
    same_email = await client.post("/catalog/v1/users", json={**ME, "login": "other"})
    assert same_email.status_code == 409 and same_email.json()["field"] == "email"
    bad_email = await client.post("/catalog/v1/users", json={**ME, "login": "third", "email": "a@b@c"})
    assert bad_email.status_code == 422 and bad_email.json()["field"] == "email"
    async with catalog.runtime.sessionmaker() as session:
        from sqlalchemy import text

        stored = await session.scalar(text("SELECT password_hash FROM \"user\" WHERE login = 'erkanozgur'"))
    assert stored.startswith("$argon2id$") and "Tr0ub4dor" not in stored
    headers = await catalog.login("Erkan Ozgur", "Tr0ub4dor&3")
    assert (await client.get("/catalog/v1/auth/me", headers=headers)).json()["is_admin"] is False


async def test_wrong_passwords_and_tampered_tokens_get_401(catalog: Catalog) -> None:
    client = catalog.client
    wrong = await client.post("/catalog/v1/auth/token", data={"username": "admin", "password": "nope"})
    assert wrong.status_code == 401
    unknown = await client.post(
        "/catalog/v1/auth/token", data={"username": "ghost", "password": ADMIN_PASSWORD}
    )
    assert unknown.status_code == 401 and unknown.json()["detail"] == wrong.json()["detail"]
    token = client.headers["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "999"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    for bad in (f"{header}.{forged}.{signature}", f"{none_header}.{payload}.", "garbage"):
        response = await client.get("/catalog/v1/users", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    assert (await anonymous.get("/catalog/v1/users")).status_code == 401
    assert (await anonymous.get("/catalog/healthz")).status_code == 200


async def test_only_admins_manage_users_groups_departments_and_roles(catalog: Catalog) -> None:
    client = catalog.client
    await client.post("/catalog/v1/users", json=ME)
    artist = await catalog.token_for("eoyilmaz")
    assert (
        await client.post("/catalog/v1/users", json={**ME, "login": "x", "email": "x@y.z"}, headers=artist)
    ).status_code == 403
    assert (
        await client.post("/catalog/v1/groups/1/users", json={"user_id": 2}, headers=artist)
    ).status_code == 403
    assert (await client.get("/catalog/v1/users", headers=artist)).status_code == 200
    for path, body in (
        ("departments", {"name": "Lighting"}),
        ("departments/1/members", {"user_id": 2}),
        ("users/2/departments", {"department_id": 1}),
        ("roles", {"name": "Boss", "access": "producer"}),
    ):
        refused = await client.post(f"/catalog/v1/{path}", json=body, headers=artist)
        assert refused.status_code == 403, (path, refused.text)
    assert (await client.delete("/catalog/v1/departments/1", headers=artist)).status_code == 403
    department = await client.post("/catalog/v1/departments", json={"name": "Lighting"})
    assert department.status_code == 201


async def test_deleting_a_user_still_referenced_says_by_what(catalog: Catalog) -> None:
    client = catalog.client
    user = (await client.post("/catalog/v1/users", json=ME)).json()
    project = (
        await client.post("/catalog/v1/projects", json={"name": "Fancy Commercial", "code": "FC"})
    ).json()
    task = (
        await client.post(
            "/catalog/v1/tasks",
            json={"name": "Previs", "project_id": project["id"], "resource_ids": [user["id"]]},
        )
    ).json()
    refused = await client.delete(f"/catalog/v1/users/{user['id']}")
    assert refused.status_code == 409, refused.text
    assert refused.json()["referenced_by"] == {"task.resources": [task["id"]]}
    assert (await client.get(f"/catalog/v1/users/{user['id']}")).status_code == 200
    await client.delete(f"/catalog/v1/tasks/{task['id']}/resources/{user['id']}")
    deleted = await client.delete(f"/catalog/v1/users/{user['id']}")
    assert deleted.status_code == 204
    assert (await client.get(f"/catalog/v1/users/{user['id']}")).status_code == 404
    assert "catalog.user.deleted" in await catalog.event_types()
