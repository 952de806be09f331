"""Each refusal of the API, with its status and the field (and template line) it names; the sandbox
refusing hostile templates; who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from stalker_shared.contracts.catalog import ProjectCreated, ProjectMemberState

from support.versions import (
    ARTIST,
    COMP,
    PROJECT,
    TUTORIAL_FILENAME,
    TUTORIAL_PATH,
    VersionsService,
    bearer,
    feed_the_commercial,
    project_created,
    set_up_storage,
)

REPOSITORIES = "/versions/v1/repositories"
TEMPLATES = "/versions/v1/filename-templates"
STRUCTURES = "/versions/v1/structures"


def template(**changes: Any) -> dict[str, Any]:
    return {
        "name": "t",
        "target_entity_type": "Task",
        "path": TUTORIAL_PATH,
        "filename": TUTORIAL_FILENAME,
    } | changes


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "R", "linux_path": "mnt/M"}, 422, "linux_path"),
        ({"name": "R", "macos_path": "Volumes/M"}, 422, "macos_path"),
        ({"name": "R", "windows_path": "commercials\\x"}, 422, "windows_path"),
        ({"name": "R", "linux_path": "/mnt/$HOME"}, 422, "linux_path"),
        ({"name": "R", "code": "1CR"}, 422, "code"),
        ({"name": "R", "code": "C R"}, 422, "code"),
        ({"name": "   "}, 422, "name"),
        ({"name": "R", "unknown": 1}, 422, "unknown"),
    ],
)
async def test_repository_refusals(
    versions: VersionsService, body: dict[str, Any], status: int, field: str
) -> None:
    response = await versions.client.post(REPOSITORIES, json=body)
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem.get("field") == field or any(e["field"] == field for e in problem.get("errors", []))


async def test_repository_codes_are_unique_and_derived_when_missing(versions: VersionsService) -> None:
    derived = await versions.post(REPOSITORIES, {"name": "Commercial Repository"})
    assert derived["code"] == "Commercial_Repository" and derived["linux_path"] is None
    clash = await versions.client.post(REPOSITORIES, json={"name": "Other", "code": "Commercial_Repository"})
    assert clash.status_code == 409 and clash.json()["field"] == "code"
    no_root = await versions.client.get(f"{REPOSITORIES}/{derived['id']}/path?os=windows")
    assert no_root.status_code == 409


async def test_a_repository_in_use_cannot_be_deleted(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    repository = await set_up_storage(versions)
    refused = await versions.client.delete(f"{REPOSITORIES}/{repository['id']}")
    assert refused.status_code == 409 and refused.json()["referenced_by"]["project_ids"] == [PROJECT]


@pytest.mark.parametrize(
    ("body", "field", "line", "reason"),
    [
        (template(path="{{ ''.__class__.__mro__ }}"), "path", 1, "private attribute"),
        (template(filename="{{ version['__class__'] }}"), "filename", 1, "private attribute"),
        (template(path="$REPO1\n{{ project.code.format(1) }}"), "path", 2, "unsafe"),
        (template(path="{% include 'x' %}"), "path", 1, "include"),
        (
            template(path="{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}"),
            "path",
            1,
            "too much work",
        ),
        (template(filename="{{ 'a' * 10**7 }}"), "filename", 1, "longer than"),
        (template(filename="{{ '%099999d'|format(1) }}"), "filename", 1, "format widths"),
        (template(filename="{{ x|center(10**7) }}"), "filename", 1, "No filter named 'center'"),
    ],
)
async def test_the_sandbox_refuses_hostile_templates(
    versions: VersionsService, body: dict[str, Any], field: str, line: int, reason: str
) -> None:
    response = await versions.client.post(TEMPLATES, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["field"], problem["line"]) == (field, line)
    assert reason in problem["reason"]


@pytest.mark.parametrize(
    ("body", "field", "line", "reason"),
    [
        (template(path="$REPO1/{{ project.code }\n"), "path", 1, "unexpected '}'"),
        (
            template(filename="v{{ version.version_number }}\n{% if %}"),
            "filename",
            2,
            "Expected an expression",
        ),
        (template(path="{{ project.nickname }}"), "path", 1, "has no attribute 'nickname'"),
        (template(path="{{ missing }}"), "path", 1, "'missing' is undefined"),
        (
            template(filename="{{ task.name }}/{{ version.version_number }}"),
            "filename",
            None,
            "contains a slash",
        ),
        (template(path="$REPO1/../../etc"), "path", None, "climbs out"),
        (template(path="{% if false %}x{% endif %}"), "path", None, "empty path"),
        (template(filename='{{ task.name }}:{{ "v" }}'), "filename", None, "not allowed on Windows"),
    ],
)
async def test_template_errors_name_the_field_line_and_reason(
    versions: VersionsService, body: dict[str, Any], field: str, line: int | None, reason: str
) -> None:
    response = await versions.client.post(TEMPLATES, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["field"], problem.get("line")) == (field, line)
    assert reason in problem["detail"]


async def test_template_payload_limits(versions: VersionsService) -> None:
    too_long = await versions.client.post(TEMPLATES, json=template(path="x" * 4001))
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "path"
    bad_type = await versions.client.post(TEMPLATES, json=template(target_entity_type="Variant"))
    assert bad_type.status_code == 422 and bad_type.json()["errors"][0]["field"] == "target_entity_type"


async def test_structure_refusals(versions: VersionsService) -> None:
    first = await versions.post(TEMPLATES, template())
    second = await versions.post(TEMPLATES, template(name="also for tasks"))
    two_for_tasks = await versions.client.post(
        STRUCTURES, json={"name": "S", "template_ids": [first["id"], second["id"]]}
    )
    assert two_for_tasks.status_code == 422 and two_for_tasks.json()["field"] == "template_ids"
    unknown = await versions.client.post(STRUCTURES, json={"name": "S", "template_ids": [999]})
    assert unknown.status_code == 404 and unknown.json()["field"] == "template_ids"
    absolute = await versions.client.post(STRUCTURES, json={"name": "S", "custom_template": "Temp\n/etc/x"})
    assert absolute.status_code == 422 and absolute.json()["line"] == 2
    await versions.post(STRUCTURES, {"name": "S"})
    same_name = await versions.client.post(STRUCTURES, json={"name": "S"})
    assert same_name.status_code == 409 and same_name.json()["field"] == "name"
    used = await versions.client.delete(f"{TEMPLATES}/{first['id']}")
    assert used.status_code == 204  # not in any structure yet


async def test_version_refusals(versions: VersionsService) -> None:
    await feed_the_commercial(versions)
    create = f"/versions/v1/tasks/{COMP}/versions"
    no_storage = await versions.client.post(create, json={})
    assert no_storage.status_code == 409 and "storage" in no_storage.json()["detail"]
    await set_up_storage(versions)
    for body, field in [
        ({"version_number": 7}, "version_number"),
        ({"take_name": "my take"}, "take_name"),
        ({"take_name": ""}, "take_name"),
        ({"extension": "tar.gz"}, "extension"),
    ]:
        response = await versions.client.post(create, json=body)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    for body, field in [({"parent_id": 12345}, "parent_id"), ({"input_ids": [12345]}, "input_ids")]:
        response = await versions.client.post(create, json=body)
        assert response.status_code == 404 and response.json()["field"] == field
    bad_key = await versions.client.post(create, json={}, headers={"Idempotency-Key": "x" * 201})
    assert bad_key.status_code == 422


async def test_storage_refusals(versions: VersionsService) -> None:
    await versions.deliver(project_created(PROJECT, "Fancy Commercial", "FC"))
    repository = await versions.post(REPOSITORIES, {"name": "R", "linux_path": "/mnt/r"})
    url = f"/versions/v1/projects/{PROJECT}/storage"
    twice = await versions.client.put(url, json={"repository_ids": [repository["id"], repository["id"]]})
    assert twice.status_code == 422 and twice.json()["field"] == "repository_ids"
    unknown = await versions.client.put(url, json={"repository_ids": [999]})
    assert unknown.status_code == 404 and unknown.json()["field"] == "repository_ids"
    no_structure = await versions.client.put(
        url, json={"repository_ids": [repository["id"]], "structure_id": 5}
    )
    assert no_structure.status_code == 404 and no_structure.json()["field"] == "structure_id"
    assert (await versions.client.get(url)).status_code == 404


async def test_every_route_needs_a_token_and_configuration_needs_an_admin(versions: VersionsService) -> None:
    operations = [
        (method.upper(), path)
        for path, item in versions.app.openapi()["paths"].items()
        if path.startswith("/versions/v1/")
        for method in item
    ]
    assert len(operations) >= 25
    ids: dict[str, object] = dict.fromkeys(
        ("repository_id", "template_id", "structure_id", "project_id", "task_id", "version_id"), 1
    )
    ids["message_id"] = "00000000-0000-0000-0000-000000000001"
    for method, path in operations:
        response = await versions.client.request(method, path.format(**ids), headers={"Authorization": ""})
        assert response.status_code == 401, (method, path, response.status_code)
    artist = bearer(ARTIST)
    for url, body in [
        (REPOSITORIES, {"name": "R"}),
        (TEMPLATES, template()),
        (STRUCTURES, {"name": "S"}),
    ]:
        assert (await versions.client.post(url, json=body, headers=artist)).status_code == 403
    # A project's storage is its producers': an artist of the project is refused.
    state = project_created(PROJECT, "Fancy Commercial", "FC").model_dump()
    members = [ProjectMemberState(user_id=ARTIST.user_id, role="artist")]
    assert (await versions.deliver(ProjectCreated(**state | {"members": members}))).outcome == "ack"
    storage = await versions.client.put(
        f"/versions/v1/projects/{PROJECT}/storage", json={"repository_ids": []}, headers=artist
    )
    assert storage.status_code == 403
    assert (await versions.client.get(REPOSITORIES, headers=artist)).status_code == 200
