"""Input bounded at the schema, in both modes: each request here answered 500 on PostgreSQL (asyncpg
refusing an integer beyond the column or a NUL character on bind) or did harm on SQLite (a `__contains`
with NUL matched every row, a 100 MB name was stored and listed), and now gets a 422 problem naming the
field. The OpenAPI documents every 4xx with its problem+json body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stalker_shared.types import INT32_MAX, MAX_IDS, NAME_MAX, TEXT_MAX

from support.served import ServedSystem, served_as_parametrized

pytestmark = pytest.mark.xdist_group("input_bounds")  # one worker: the module's two systems

C, V, S = "/catalog/v1", "/versions/v1", "/scheduler/v1"
TOO_BIG = INT32_MAX + 1


@pytest.fixture(scope="module", params=["embedded", "distributed"])
def system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedSystem]:
    with served_as_parametrized(request, tmp_path_factory.mktemp("bounds")) as served:
        yield served


@pytest.fixture(scope="module")
def client(system: ServedSystem) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.base, headers=system.token_for("admin"), timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def project(client: httpx.Client) -> int:
    made = client.post(f"{C}/projects", json={"name": "Bounds", "code": "BND"})
    assert made.status_code == 201, made.text
    for name in ("Alpha", "Beta"):
        task = client.post(f"{C}/tasks", json={"name": name, "project_id": made.json()["id"]})
        assert task.status_code == 201, task.text
    return int(made.json()["id"])


def refused(response: httpx.Response, field: str, status: int = 422) -> dict[str, Any]:
    """A problem+json answer with this status naming this field (in `field` or among `errors`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    named = {body.get("field")} | {e["field"] for e in body.get("errors") or []}
    assert any(n and (n == field or n.endswith(f".{field}") or n.startswith(f"{field}.")) for n in named), (
        body
    )
    return body


@pytest.mark.parametrize(
    "path",
    [
        f"{C}/projects/{TOO_BIG}",
        f"{C}/tasks/{TOO_BIG}",
        f"{C}/users/{TOO_BIG}",
        f"{C}/statuses/{TOO_BIG}",
        f"{C}/studios/{TOO_BIG}",
        f"{V}/repositories/{TOO_BIG}",
        f"{V}/tasks/{TOO_BIG}/versions",
        f"{S}/studios/{TOO_BIG}/tjp",
    ],
)
def test_an_id_beyond_its_column_is_a_422_naming_it(client: httpx.Client, path: str) -> None:
    name = {"projects": "project_id", "tasks": "task_id", "users": "user_id", "statuses": "status_id"}
    name |= {"studios": "studio_id", "repositories": "repository_id"}
    refused(client.get(path), name[path.split("/")[3]])
    assert client.get(path.replace(str(TOO_BIG), "0")).status_code == 422


def test_ids_and_integers_in_bodies_are_bounded(client: httpx.Client, project: int) -> None:
    refused(client.post(f"{C}/tasks", json={"name": "T", "project_id": TOO_BIG}), "project_id")
    refused(
        client.post(f"{C}/tasks", json={"name": "T", "project_id": project, "priority": 2**40}), "priority"
    )
    refused(
        client.post(f"{C}/tasks", json={"name": "T", "project_id": project, "resource_ids": [TOO_BIG]}), "0"
    )
    refused(client.post(f"{C}/image-formats", json={"name": "F", "width": 2**40, "height": 1}), "width")
    refused(client.post(f"{V}/tasks/1/versions", json={"parent_id": 2**63}), "parent_id")


def test_nul_and_control_characters_are_refused_where_they_make_no_sense(
    client: httpx.Client, project: int
) -> None:
    refused(client.post(f"{C}/projects", json={"name": "a\x00b", "code": "NUL"}), "name")
    refused(client.post(f"{C}/projects", json={"name": "a\x1bb", "code": "ESC"}), "name")
    refused(client.patch(f"{C}/projects/{project}", json={"description": "x\x00"}), "description")
    refused(
        client.post(f"{C}/tasks", json={"name": "T", "project_id": project, "schedule_unit": "h\x00"}),
        "schedule_unit",
    )
    refused(client.post(f"{V}/repositories", json={"name": "R", "linux_path": "/mnt/\x00"}), "linux_path")
    refused(client.get(f"{V}/tasks/1/versions/latest", params={"take_name": "Main\x00"}), "take_name")
    # Newlines and tabs are text in a description.
    described = client.patch(f"{C}/projects/{project}", json={"description": "line 1\n\tline 2"})
    assert described.status_code == 200, described.text
    assert described.json()["description"] == "line 1\n\tline 2"


def test_list_filters_are_bounded_and_refuse_nul(client: httpx.Client, project: int) -> None:
    tasks = f"{C}/tasks"
    # SQLite stores NUL, and its LIKE stopped at it: `name__contains=\0` listed every row.
    refused(client.get(tasks, params={"name__contains": "\x00"}), "name")
    refused(client.get(tasks, params={"name": "Alpha\x00"}), "name")
    refused(client.get(tasks, params={"id": str(TOO_BIG)}), "id")
    refused(client.get(tasks, params={"project_id__in": ",".join(["1"] * (MAX_IDS + 1))}), "project_id__in")
    refused(client.get(tasks, params={"name__contains": "x" * (NAME_MAX + 1)}), "name")
    refused(client.get(tasks, params={"sort": "name\x00"}), "sort")
    found = client.get(tasks, params={"name__contains": "lph", "project_id": project})
    assert [t["name"] for t in found.json()["items"]] == ["Alpha"]


def test_text_fields_have_their_columns_lengths(client: httpx.Client, project: int) -> None:
    refused(client.post(f"{C}/projects", json={"name": "n" * (NAME_MAX + 1), "code": "LONG"}), "name")
    refused(
        client.patch(f"{C}/projects/{project}", json={"description": "d" * (TEXT_MAX + 1)}), "description"
    )
    refused(client.post(f"{C}/statuses", json={"name": "S", "code": "C" * 17}), "code")
    refused(client.post(f"{V}/repositories", json={"name": "R", "code": "C" * 65}), "code")
    long_name = client.post(f"{C}/projects", json={"name": "n" * NAME_MAX, "code": "LONGEST"})
    assert long_name.status_code == 201, long_name.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "S", "duration": 10**12}, "duration"),  # overflowed timedelta: a 500
        ({"name": "S", "duration": "P999999999D"}, "duration"),  # overflowed the end date: a 500
        ({"name": "S", "duration": 40_000}, "duration"),
        ({"name": "S", "start": "0001-01-01T00:00:00+05:00"}, "start"),
        ({"name": "S", "end": "9999-12-31T23:59:59-05:00"}, "end"),
        ({"name": "S", "working_hours": {"mon": [[0, 10**12]]}}, "working_hours"),
    ],
)
def test_studio_dates_and_durations_stay_within_the_calendar(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    refused(client.post(f"{C}/studios", json=body), field)


def test_project_ids_are_capped_and_parsed(client: httpx.Client, project: int) -> None:
    studios = client.get(f"{C}/studios").json()["items"]  # the catalog has one studio at most
    studio = studios[0] if studios else client.post(f"{C}/studios", json={"name": "Ids"}).json()
    studio_id = studio["id"]
    schedule = f"{C}/studios/{studio_id}/schedule"
    refused(client.post(schedule, json={"project_ids": [project] * (MAX_IDS + 1)}), "project_ids")
    million = client.post(schedule, json={"project_ids": [project] * 1_000_000})
    assert million.status_code in (413, 422), million.text  # the body limit may answer first
    assert million.headers["content-type"] == "application/problem+json"
    snapshot = f"{C}/studios/{studio_id}/snapshot"
    refused(client.get(snapshot, params={"project_ids": "abc"}), "project_ids")  # int("abc"): a 500
    refused(client.get(snapshot, params={"project_ids": str(TOO_BIG)}), "project_ids")
    refused(
        client.get(snapshot, params={"project_ids": ",".join([str(project)] * (MAX_IDS + 1))}), "project_ids"
    )
    assert client.get(snapshot, params={"project_ids": str(project)}).status_code == 200


def test_every_operation_documents_its_4xx_as_problem_details(client: httpx.Client) -> None:
    for service in ("catalog", "versions", "scheduler"):
        document = client.get(f"/{service}/openapi.json").json()
        assert "ProblemDetails" in document["components"]["schemas"]
        for path, operations in document["paths"].items():
            if path.rsplit("/", 1)[-1] in ("healthz", "readyz", "metrics"):
                continue
            for method, operation in operations.items():
                for status in ("401", "403", "404", "409", "422"):
                    content = operation["responses"][status]["content"]
                    assert "application/problem+json" in content, (method, path, status)
